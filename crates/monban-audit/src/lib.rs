//! Access review, pure: the live organization (and, when given, the access repo) → an
//! inventory of who may reach which account with which permission set and why, and
//! findings with stable rule ids and severities (`docs/reference/audit-rules.md`). No I/O:
//! `monban-aws` reads, this crate decides, `monban-render` lays the result out.
