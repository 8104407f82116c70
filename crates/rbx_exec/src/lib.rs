//! rbx_exec

pub mod masking;
pub mod process;
