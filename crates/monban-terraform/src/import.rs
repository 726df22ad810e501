//! `monban import terraform`: HCL (+ state) → access repo model, with every untranslated construct listed.
