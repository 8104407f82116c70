//! YAML text → a spanned node tree. Parsing never fails: it returns what it could build plus
//! diagnostics, and it refuses hostile input (deep nesting, alias bombs) without expanding it.

mod node;
mod parse;
mod source;

pub use node::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarValue};
pub use parse::{Limits, Parsed, parse};
pub use source::{MAX_FILE_BYTES, SourceError, read_source};
