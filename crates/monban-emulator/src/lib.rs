//! An AWS-compatible emulator of Organizations, IAM Identity Center and the Identity Store. Depends on no other monban crate.
