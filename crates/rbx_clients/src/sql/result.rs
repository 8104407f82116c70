use serde_json::{Map, Value};

/// What a statement returned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlResult {
    /// Column names in order; a repeated name gets `_2`, `_3`, … so every row key is unique.
    pub columns: Vec<String>,
    /// One object per row, keys in column order.
    pub rows: Vec<Map<String, Value>>,
    /// Rows inserted, updated or deleted, as the server counts them.
    pub affected: u64,
}

impl SqlResult {
    /// The step result: `{rows, row_count, columns, affected}`.
    pub fn to_result(&self) -> Value {
        let mut result = Map::new();
        result.insert("rows".into(), Value::Array(self.rows.iter().cloned().map(Value::Object).collect()));
        result.insert("row_count".into(), self.rows.len().into());
        result.insert("columns".into(), Value::Array(self.columns.iter().cloned().map(Value::String).collect()));
        result.insert("affected".into(), self.affected.into());
        Value::Object(result)
    }
}

/// Column names made unique: `SELECT 1 AS n, 2 AS n` gives `n` and `n_2`.
pub(crate) fn unique_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let mut candidate = name.to_owned();
        let mut n = 1;
        while out.contains(&candidate) {
            n += 1;
            candidate = format!("{name}_{n}");
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_column_names_get_suffixes() {
        assert_eq!(unique_names(["a", "b", "a", "a", "a_2"]), ["a", "b", "a_2", "a_3", "a_2_2"]);
    }

    #[test]
    fn result_shape() {
        let mut row = Map::new();
        row.insert("n".into(), 1.into());
        let result = SqlResult { columns: vec!["n".into()], rows: vec![row], affected: 0 }.to_result();
        assert_eq!(
            serde_json::to_string(&result).unwrap(),
            r#"{"rows":[{"n":1}],"row_count":1,"columns":["n"],"affected":0}"#
        );
    }
}
