//! A JSON reader that keeps where every value and object key starts, for Terraform's JSON
//! syntax (`.tf.json`, `.tfvars.json`). `serde_json` forgets positions once a value is
//! parsed, but every construct the import does not translate is reported at its line, so
//! the JSON files need them as much as the `.tf` files do. Objects keep their members in
//! file order, duplicates included, as HCL's own JSON parser does.

use super::value::Value;

/// A JSON value and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Json {
    pub kind: JsonKind,
    pub start: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonKind {
    Null,
    Bool(bool),
    /// The number as written: Terraform numbers are arbitrary precision, so it is passed
    /// on as text and parsed where it is used.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub key: String,
    pub key_start: usize,
    pub value: Json,
}

impl Json {
    /// The value, taken literally (strings are text, not templates), as `.tfvars.json`
    /// values are.
    pub(crate) fn to_value(&self) -> Value {
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(value) => Value::Bool(*value),
            // The grammar checked above is a subset of what `f64` parses.
            JsonKind::Number(number) => Value::Number(number.parse().unwrap_or(f64::NAN)),
            JsonKind::String(text) => Value::String(text.clone()),
            JsonKind::Array(items) => Value::List(items.iter().map(Self::to_value).collect()),
            JsonKind::Object(members) => Value::Map(
                members
                    .iter()
                    .map(|member| (member.key.clone(), member.value.to_value()))
                    .collect(),
            ),
        }
    }

    /// What the value is, for messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a bool",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

/// Why a text is not JSON, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// Parses a whole JSON text (RFC 8259: one value, surrounded by whitespace only).
pub(crate) fn parse(text: &str) -> Result<Json, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        position: 0,
        depth: 0,
    };
    parser.whitespace();
    let value = parser.value()?;
    parser.whitespace();
    if parser.position < parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(value)
}

/// Nesting deeper than this is refused rather than overflowing the stack.
const MAX_DEPTH: usize = 512;

struct Parser<'text> {
    text: &'text str,
    bytes: &'text [u8],
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError {
            offset: self.position,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.position += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.position += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected `{}`", char::from(byte))))
        }
    }

    fn value(&mut self) -> Result<Json, JsonError> {
        let start = self.position;
        let kind = match self.peek() {
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => JsonKind::String(self.string()?),
            Some(b't') => self.keyword("true", JsonKind::Bool(true))?,
            Some(b'f') => self.keyword("false", JsonKind::Bool(false))?,
            Some(b'n') => self.keyword("null", JsonKind::Null)?,
            Some(b'-' | b'0'..=b'9') => JsonKind::Number(self.number()?),
            Some(_) => return Err(self.error("expected a JSON value")),
            None => return Err(self.error("the JSON text ends where a value was expected")),
        };
        Ok(Json { kind, start })
    }

    fn nested(
        &mut self,
        parse: fn(&mut Self) -> Result<JsonKind, JsonError>,
    ) -> Result<JsonKind, JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("JSON nested too deeply"));
        }
        let kind = parse(self)?;
        self.depth -= 1;
        Ok(kind)
    }

    fn keyword(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        if self.bytes[self.position..].starts_with(word.as_bytes()) {
            self.position += word.len();
            Ok(kind)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.position;
        while let Some(b'0'..=b'9') = self.peek() {
            self.position += 1;
        }
        self.position - start
    }

    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.position;
        if self.peek() == Some(b'-') {
            self.position += 1;
        }
        match self.peek() {
            Some(b'0') => self.position += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.position += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after `.`"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.position += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.position += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(self.text[start..self.position].to_owned())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits after `\\u`"))?;
        self.position += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("expected four hex digits"))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let run_start = self.position;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.position += 1;
            }
            // The run ends at an ASCII byte or the end, so it is whole UTF-8 characters.
            out.push_str(&self.text[run_start..self.position]);
            match self.peek() {
                Some(b'"') => {
                    self.position += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.position += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("the JSON text ends inside a string"))?;
                    self.position += 1;
                    match escaped {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => {
                            self.position -= 1;
                            return Err(self.error("an unknown escape in a string"));
                        }
                    }
                }
                Some(_) => return Err(self.error("a control character in a string")),
                None => return Err(self.error("the JSON text ends inside a string")),
            }
        }
    }

    /// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.position..].starts_with(b"\\u") {
                return Err(self.error("a lone surrogate in a `\\u` escape"));
            }
            self.position += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("a lone surrogate in a `\\u` escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("a lone surrogate in a `\\u` escape"))
    }

    fn array(&mut self) -> Result<JsonKind, JsonError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.position += 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            self.whitespace();
            items.push(self.value()?);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b']') => {
                    self.position += 1;
                    return Ok(JsonKind::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self) -> Result<JsonKind, JsonError> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.position += 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            self.whitespace();
            let key_start = self.position;
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a property name in double quotes"));
            }
            let key = self.string()?;
            self.whitespace();
            self.expect(b':')?;
            self.whitespace();
            let value = self.value()?;
            members.push(Member {
                key,
                key_start,
                value,
            });
            self.whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(b'}') => {
                    self.position += 1;
                    return Ok(JsonKind::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_order_and_duplicates() {
        let text = "{\n  \"a\": [1, -2.5e3],\n  \"a\": \"x\\u00e9\\ud83d\\ude00\"\n}";
        let json = parse(text).expect("valid");
        let JsonKind::Object(members) = json.kind else {
            panic!("an object")
        };
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].key_start, 4);
        let JsonKind::Array(items) = &members[0].value.kind else {
            panic!("an array")
        };
        assert_eq!(items[1].kind, JsonKind::Number("-2.5e3".to_owned()));
        assert_eq!(items[1].start, 13);
        assert_eq!(members[1].value.kind, JsonKind::String("xé😀".to_owned()));
    }

    #[test]
    fn rejects_what_json_rejects() {
        for (text, offset) in [
            ("{\"a\": 1,}", 8),
            ("[01]", 2),
            ("{'a': 1}", 1),
            ("\"a\nb\"", 2),
            ("[1] 2", 4),
            ("[\"\\x\"]", 3),
        ] {
            let error = parse(text).expect_err(text);
            assert_eq!(error.offset, offset, "{text}: {}", error.message);
        }
    }
}
