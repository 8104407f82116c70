//! `rbx schema`

use crate::exit::Exit;

pub fn run() -> Exit {
    print!("{}", rbx_model::schema::runbook_schema_json());
    Exit::Success
}
