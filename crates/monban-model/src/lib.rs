//! Domain types and ids of monban: organizations, accounts, permission sets, principals, assignments, and every AWS limit on them. No I/O.
