//! `monban export terraform`: the access repo as deterministic, `terraform fmt`-style HCL.
