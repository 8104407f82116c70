//! rbx_lint
