//! A small POSIX shell lexer that follows a `shell` command as it is rendered, so that each
//! `{{x}}` is escaped for the context it lands in.
//!
//! Quotes alone are not enough: `$(…)` and backquotes start a new, unquoted command even inside
//! `"…"`, a here-document body ignores quotes, and a newline ends a comment. Where rbx cannot
//! tell or cannot escape, it refuses to render rather than guess.

use crate::error::{RenderError, RenderErrorKind};
use crate::position::Pos;

/// Where the next character of a shell command lands, as far as escaping a value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quoting {
    /// Outside quotes, at the top or inside `$(…)` or `` `…` ``: a value becomes one quoted
    /// word.
    #[default]
    Bare,
    /// Inside `'…'` the author wrote.
    Single,
    /// Inside `"…"` the author wrote.
    Double,
    /// In a comment, after `#`.
    Comment,
    /// In the body of a here-document with an unquoted delimiter (`<<EOF`), where `$`, `` ` ``
    /// and `\` keep their meaning.
    HereDoc,
    /// In the body of a here-document with a quoted delimiter (`<<'EOF'`): nothing is special.
    HereDocLiteral,
    /// Inside `$((…))`, `((…))` or bash's `$[…]`: only an integer is accepted.
    Arithmetic,
    /// Where no escaping makes a value harmless: rendering refuses.
    Unsafe(UnsafeShellContext),
}

/// A place in a shell command where rbx cannot make a value harmless, so it refuses to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnsafeShellContext {
    /// Inside `${…}`, whose quoting rules differ between shells.
    #[error("inside `${{…}}`")]
    ParameterExpansion,
    /// Inside bash's `$'…'`, where backslashes are escapes.
    #[error("inside `$'…'`")]
    AnsiCQuotes,
    /// Glued to a `$`, which would read the value's first characters as an expansion.
    #[error("right after `$`")]
    AfterDollar,
    /// Glued to a `\`, which would take the value's first character.
    #[error("right after `\\`")]
    AfterBackslash,
    /// In the delimiter word after `<<`.
    #[error("in a here-document delimiter")]
    HereDocDelimiter,
    /// Inside backquotes nested in backquotes, which need one more level of backslashes each.
    #[error("inside nested backquotes")]
    NestedBackquotes,
    /// In a here-document inside backquotes, whose backslashes are removed twice.
    #[error("in a here-document inside backquotes")]
    HereDocInBackquotes,
    /// In a here-document whose body opens another here-document.
    #[error("in a here-document that holds another here-document")]
    NestedHereDoc,
}

/// Why a value cannot be rendered into a shell command. Never shows the value (it may be
/// secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellEscapeError {
    /// The value lands where no escaping makes it harmless.
    #[error(
        "`{{{{…}}}}` {0} of a shell command cannot be escaped: move it out, or pass the value in an environment variable"
    )]
    Unsafe(UnsafeShellContext),
    /// Shell arithmetic evaluates what it is given, quotes included.
    #[error("a value inside shell arithmetic `$((…))` must be an integer")]
    NotAnInteger,
    /// A line of the value (with the text around it) equals the here-document's delimiter.
    #[error("the value would end the here-document early: it makes a line equal to its delimiter `{0}`")]
    EndsHereDoc(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Single,
    Double,
    /// `$(…)`: a command of its own. Unquoted parentheses are counted; inside `case`, a `)`
    /// without its `(` ends a pattern, not the substitution.
    Substitution {
        parens: u32,
        cases: u32,
    },
    /// `` `…` ``: a command of its own, ended by the next unescaped backquote whatever quotes
    /// stand between (as dash reads it).
    Backquote {
        nested: bool,
    },
    Arithmetic {
        parens: u32,
    },
    /// The first `)` of the `))` that ends arithmetic.
    ArithmeticEnd,
    /// Bash's older `$[…]` arithmetic.
    BracketArithmetic {
        brackets: u32,
    },
    Parameter {
        braces: u32,
        in_double_quotes: bool,
    },
    AnsiC,
    Comment,
    HereDocBody {
        quoted: bool,
    },
}

impl Frame {
    fn is_command(self) -> bool {
        matches!(self, Frame::Substitution { .. } | Frame::Backquote { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenParen {
    /// `$(`: a `(` right after makes it `$((`.
    Substitution,
    /// A `(` where a command starts: a `(` right after makes it bash's `((`.
    Subshell,
}

#[derive(Debug)]
struct HereDoc {
    delimiter: Vec<u8>,
    strip_tabs: bool,
    quoted: bool,
}

/// The here-document whose body is being read.
#[derive(Debug)]
struct Body {
    doc: HereDoc,
    /// Where its frame sits in the stack: the end of the body drops it and all above.
    depth: usize,
    /// The current line, without `<<-`'s leading tabs, kept only while it may still equal the
    /// delimiter.
    line: Vec<u8>,
    too_long: bool,
    /// The rendered value that wrote part of the current line, if any.
    line_from_value: Option<Pos>,
    /// It opens a here-document of its own (in a substitution): not followed.
    nested: bool,
}

impl Body {
    fn line_is_delimiter(&self) -> bool {
        !self.too_long && self.line == self.doc.delimiter
    }
}

/// The delimiter word after `<<`, being read.
#[derive(Debug, Default)]
struct DelimiterWord {
    strip_tabs: bool,
    text: Vec<u8>,
    quoted: bool,
    quote: Option<u8>,
    escaped: bool,
}

impl DelimiterWord {
    /// Takes one byte of the word, or returns false when the byte ends it (and is not part of
    /// it).
    fn take(&mut self, byte: u8) -> bool {
        if std::mem::take(&mut self.escaped) {
            self.text.push(byte);
            return true;
        }
        if let Some(quote) = self.quote {
            if byte == quote {
                self.quote = None;
            } else if quote == b'"' && byte == b'\\' {
                self.escaped = true;
            } else {
                self.text.push(byte);
            }
            return true;
        }
        match byte {
            b' ' | b'\t' if self.text.is_empty() && !self.quoted => true,
            b'\\' => {
                self.escaped = true;
                self.quoted = true;
                true
            }
            b'\'' | b'"' => {
                self.quote = Some(byte);
                self.quoted = true;
                true
            }
            b'\n' | b' ' | b'\t' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => false,
            _ => {
                self.text.push(byte);
                true
            }
        }
    }
}

/// Reserved words after which a command still starts.
const KEEP_COMMAND_POSITION: [&[u8]; 10] =
    [b"then", b"do", b"else", b"elif", b"if", b"while", b"until", b"!", b"{", b"time"];

/// Follows a shell command as it is rendered, resuming where it stopped, so that a render scans
/// its output once. Rendered values are escaped for the context they land in and leave it
/// unchanged, so scanning them is consistent.
#[derive(Debug)]
pub(crate) struct ShellScan {
    scanned: usize,
    stack: Vec<Frame>,
    escaped: bool,
    after_dollar: bool,
    open_paren: Option<OpenParen>,
    less_thans: u8,
    /// Inside a word of a command context (a `#` there does not start a comment).
    in_word: bool,
    /// The word being read could not be a reserved word (quoted, from a value, …).
    word_tainted: bool,
    word: Vec<u8>,
    /// Where a command starts: reserved words count there (`case`, `esac`).
    command_position: bool,
    delimiter: Option<DelimiterWord>,
    pending: Vec<HereDoc>,
    body: Option<Body>,
}

impl Default for ShellScan {
    fn default() -> ShellScan {
        ShellScan {
            scanned: 0,
            stack: Vec::new(),
            escaped: false,
            after_dollar: false,
            open_paren: None,
            less_thans: 0,
            in_word: false,
            word_tainted: false,
            word: Vec::new(),
            command_position: true,
            delimiter: None,
            pending: Vec::new(),
            body: None,
        }
    }
}

impl ShellScan {
    /// The context at the end of `out` (author text only: the linter's view).
    pub(crate) fn quoting_after(&mut self, out: &str) -> Quoting {
        // Only lines written by a value can fail the scan, and none is marked here.
        let _ = self.advance(out, None);
        self.quoting()
    }

    /// For the linter: a value stands here; it is one word that leaves the context unchanged
    /// and never ends a here-document.
    pub(crate) fn skip_value(&mut self) {
        self.escaped = false;
        self.after_dollar = false;
        self.open_paren = None;
        self.less_thans = 0;
        if let Some(word) = &mut self.delimiter {
            word.text.push(b'?');
        }
        if let Some(body) = &mut self.body {
            body.too_long = true;
        }
        if self.in_command() {
            self.in_word = true;
            self.word_tainted = true;
        }
    }

    /// Appends `text` to `out`, escaped for the context at the end of `out`, or refuses.
    pub(crate) fn push_value(&mut self, text: &str, out: &mut String, pos: Pos) -> Result<(), RenderError> {
        self.advance(out, None)?;
        let quoting = self.quoting();
        let reserved = self.command_position && !self.in_word && self.in_command();
        let mut escaped = String::with_capacity(text.len() + 2);
        push_escaped(quoting, text, reserved, &mut escaped).map_err(|e| shell_error(e, pos))?;
        for _ in self.stack.iter().filter(|frame| matches!(frame, Frame::Backquote { .. })) {
            escaped = in_backquotes(&escaped);
        }
        out.push_str(&escaped);
        self.advance(out, Some(pos))
    }

    /// Scans the end of the rendered command, where no more value follows.
    pub(crate) fn finish(&mut self, out: &str) -> Result<(), RenderError> {
        self.advance(out, None)?;
        match &self.body {
            Some(body) if body.line_from_value.is_some() && body.line_is_delimiter() => {
                Err(ends_here_doc(body, body.line_from_value))
            }
            _ => Ok(()),
        }
    }

    fn advance(&mut self, out: &str, value: Option<Pos>) -> Result<(), RenderError> {
        let bytes = out.as_bytes().get(self.scanned..).unwrap_or_default();
        self.scanned = out.len();
        bytes.iter().try_for_each(|&byte| self.step(byte, value))
    }

    fn quoting(&self) -> Quoting {
        if let Some(unsafe_context) = self.unsafe_context() {
            return Quoting::Unsafe(unsafe_context);
        }
        match self.stack.last() {
            None | Some(Frame::Substitution { .. } | Frame::Backquote { .. }) => Quoting::Bare,
            Some(Frame::Single) => Quoting::Single,
            Some(Frame::Double) => Quoting::Double,
            Some(Frame::Comment) => Quoting::Comment,
            Some(Frame::HereDocBody { quoted: false }) => Quoting::HereDoc,
            Some(Frame::HereDocBody { quoted: true }) => Quoting::HereDocLiteral,
            Some(Frame::Arithmetic { .. } | Frame::ArithmeticEnd | Frame::BracketArithmetic { .. }) => {
                Quoting::Arithmetic
            }
            Some(Frame::Parameter { .. }) => Quoting::Unsafe(UnsafeShellContext::ParameterExpansion),
            Some(Frame::AnsiC) => Quoting::Unsafe(UnsafeShellContext::AnsiCQuotes),
        }
    }

    fn unsafe_context(&self) -> Option<UnsafeShellContext> {
        if self.delimiter.is_some() || self.less_thans == 2 {
            return Some(UnsafeShellContext::HereDocDelimiter);
        }
        if self.escaped {
            return Some(UnsafeShellContext::AfterBackslash);
        }
        if self.after_dollar {
            return Some(UnsafeShellContext::AfterDollar);
        }
        if self.stack.iter().any(|frame| matches!(frame, Frame::Backquote { nested: true })) {
            return Some(UnsafeShellContext::NestedBackquotes);
        }
        if let Some(body) = &self.body {
            if body.nested {
                return Some(UnsafeShellContext::NestedHereDoc);
            }
            if self.stack[..body.depth.min(self.stack.len())]
                .iter()
                .any(|frame| matches!(frame, Frame::Backquote { .. }))
            {
                return Some(UnsafeShellContext::HereDocInBackquotes);
            }
        }
        // A `${…}` between the value and the command it belongs to decides how the value is
        // read, even through quotes opened inside it.
        for frame in self.stack.iter().rev() {
            match frame {
                Frame::Parameter { .. } => return Some(UnsafeShellContext::ParameterExpansion),
                Frame::AnsiC => return Some(UnsafeShellContext::AnsiCQuotes),
                Frame::Substitution { .. } | Frame::Backquote { .. } | Frame::HereDocBody { .. } => break,
                _ => {}
            }
        }
        None
    }

    fn in_command(&self) -> bool {
        self.stack.last().is_none_or(|frame| frame.is_command())
    }

    fn in_backquotes(&self) -> bool {
        self.stack.iter().any(|frame| matches!(frame, Frame::Backquote { .. }))
    }

    fn step(&mut self, byte: u8, value: Option<Pos>) -> Result<(), RenderError> {
        if self.body.is_some() && self.body_line(byte, value)? {
            return Ok(());
        }
        if let Some(word) = &mut self.delimiter {
            if word.take(byte) {
                return Ok(());
            }
            self.end_delimiter();
        }
        if std::mem::take(&mut self.escaped) {
            self.after_escape(byte, value);
            return Ok(());
        }
        let after_dollar = std::mem::take(&mut self.after_dollar);
        let open_paren = self.open_paren.take();
        let less_thans = std::mem::take(&mut self.less_thans);
        if after_dollar && self.expansion_after_dollar(byte) {
            return Ok(());
        }
        if byte == b'(' && open_paren.is_some() && self.arithmetic_after_paren(open_paren) {
            return Ok(());
        }
        match self.stack.last().copied() {
            None | Some(Frame::Substitution { .. } | Frame::Backquote { .. }) => {
                self.command_byte(byte, value, after_dollar, less_thans)
            }
            Some(Frame::Single) => self.quoted_byte(byte, b'\''),
            Some(Frame::AnsiC) => self.escapable_quoted_byte(byte, b'\''),
            Some(Frame::Double) => self.expanding_byte(byte, after_dollar, Some(b'"')),
            Some(Frame::HereDocBody { quoted: false }) => self.expanding_byte(byte, after_dollar, None),
            Some(Frame::HereDocBody { quoted: true }) => {}
            Some(Frame::Comment) => self.comment_byte(byte, value, less_thans),
            Some(Frame::Parameter { braces, in_double_quotes }) => {
                self.parameter_byte(byte, after_dollar, braces, in_double_quotes)
            }
            Some(Frame::Arithmetic { parens }) => self.arithmetic_byte(byte, after_dollar, parens),
            Some(Frame::BracketArithmetic { brackets }) => self.bracket_arithmetic_byte(byte, after_dollar, brackets),
            Some(Frame::ArithmeticEnd) => {
                self.pop();
                if byte != b')' {
                    return self.step(byte, value);
                }
            }
        }
        Ok(())
    }

    /// Follows the lines of a here-document body; true when `byte` ended it.
    fn body_line(&mut self, byte: u8, value: Option<Pos>) -> Result<bool, RenderError> {
        let Some(body) = &mut self.body else { return Ok(false) };
        if value.is_some() {
            body.line_from_value = value;
        }
        if byte != b'\n' {
            let leading_tab = body.doc.strip_tabs && byte == b'\t' && body.line.is_empty() && !body.too_long;
            if !leading_tab {
                if body.line.len() < body.doc.delimiter.len() {
                    body.line.push(byte);
                } else {
                    body.too_long = true;
                }
            }
            return Ok(false);
        }
        if !body.line_is_delimiter() {
            body.line.clear();
            body.too_long = false;
            body.line_from_value = None;
            return Ok(false);
        }
        if body.line_from_value.is_some() {
            return Err(ends_here_doc(body, body.line_from_value));
        }
        let depth = body.depth;
        self.stack.truncate(depth);
        self.body = None;
        self.escaped = false;
        self.after_dollar = false;
        self.open_paren = None;
        self.start_body();
        Ok(true)
    }

    /// At a newline token: the body of the next pending here-document starts on the next line.
    fn start_body(&mut self) {
        if self.body.is_some() || self.pending.is_empty() {
            return;
        }
        let doc = self.pending.remove(0);
        let depth = self.stack.len();
        self.stack.push(Frame::HereDocBody { quoted: doc.quoted });
        self.body = Some(Body { doc, depth, line: Vec::new(), too_long: false, line_from_value: None, nested: false });
    }

    fn end_delimiter(&mut self) {
        let Some(word) = self.delimiter.take() else { return };
        if word.text.is_empty() && !word.quoted {
            return;
        }
        let doc = HereDoc { delimiter: word.text, strip_tabs: word.strip_tabs, quoted: word.quoted };
        match &mut self.body {
            Some(body) => body.nested = true,
            None => self.pending.push(doc),
        }
    }

    fn after_escape(&mut self, byte: u8, value: Option<Pos>) {
        if byte == b'`'
            && let Some(Frame::Backquote { nested }) =
                self.stack.iter_mut().rev().find(|frame| matches!(frame, Frame::Backquote { .. }))
        {
            *nested = true;
        }
        if self.in_command() {
            if byte == b'\n' {
                // A line continuation: the word goes on.
                return;
            }
            self.word_byte(b'\\', value);
        }
    }

    /// `$(`, `${`, `$'`: true when `byte` opened one of them.
    fn expansion_after_dollar(&mut self, byte: u8) -> bool {
        match byte {
            b'(' => {
                self.stack.push(Frame::Substitution { parens: 0, cases: 0 });
                self.enter_command();
                self.open_paren = Some(OpenParen::Substitution);
            }
            b'{' => {
                let in_double_quotes = !self.in_command();
                self.stack.push(Frame::Parameter { braces: 0, in_double_quotes });
            }
            b'\'' if self.in_command() => self.stack.push(Frame::AnsiC),
            b'[' => self.stack.push(Frame::BracketArithmetic { brackets: 0 }),
            _ => return false,
        }
        true
    }

    /// `$((` and `((`: true when `byte` made arithmetic of them.
    fn arithmetic_after_paren(&mut self, open_paren: Option<OpenParen>) -> bool {
        match (open_paren, self.stack.last_mut()) {
            (Some(OpenParen::Substitution), Some(top @ Frame::Substitution { .. })) => {
                *top = Frame::Arithmetic { parens: 0 };
            }
            (Some(OpenParen::Subshell), top) => {
                if let Some(Frame::Substitution { parens, .. }) = top {
                    *parens = parens.saturating_sub(1);
                }
                self.stack.push(Frame::Arithmetic { parens: 0 });
            }
            _ => return false,
        }
        true
    }

    fn enter_command(&mut self) {
        self.in_word = false;
        self.word_tainted = false;
        self.word.clear();
        self.command_position = true;
    }

    fn pop(&mut self) {
        self.stack.pop();
        if self.in_command() {
            // What closed was part of a word of the command around it.
            self.in_word = true;
            self.word_tainted = true;
            self.command_position = false;
        }
    }

    /// An unescaped backquote ends the backquotes it is in, or opens new ones.
    fn backquote(&mut self) {
        match self.stack.iter().rposition(|frame| matches!(frame, Frame::Backquote { .. })) {
            Some(at) => {
                self.stack.truncate(at + 1);
                if self.body.as_ref().is_some_and(|body| body.depth > at) {
                    self.body = None;
                }
                self.pop();
            }
            None => {
                self.stack.push(Frame::Backquote { nested: false });
                self.enter_command();
            }
        }
    }

    fn command_byte(&mut self, byte: u8, value: Option<Pos>, after_dollar: bool, less_thans: u8) {
        if less_thans == 2 && byte != b'<' {
            let mut word = DelimiterWord { strip_tabs: byte == b'-', ..DelimiterWord::default() };
            if byte == b'-' || word.take(byte) {
                self.delimiter = Some(word);
                return;
            }
            self.delimiter = Some(word);
            self.end_delimiter();
        }
        match byte {
            b'\\' => self.escaped = true,
            b'\'' => {
                self.word_byte(byte, value);
                self.stack.push(Frame::Single);
            }
            b'"' => {
                self.word_byte(byte, value);
                self.stack.push(Frame::Double);
            }
            b'`' => {
                self.word_byte(byte, value);
                self.backquote();
            }
            b'$' => {
                self.word_byte(byte, value);
                self.after_dollar = !after_dollar;
            }
            b'#' if !self.in_word => self.stack.push(Frame::Comment),
            b'(' => {
                if self.command_position {
                    self.open_paren = Some(OpenParen::Subshell);
                }
                if let Some(Frame::Substitution { parens, .. }) = self.stack.last_mut() {
                    *parens += 1;
                }
                self.end_word();
                self.command_position = true;
            }
            b')' => {
                self.end_word();
                self.command_position = true;
                match self.stack.last_mut() {
                    Some(Frame::Substitution { parens, .. }) if *parens > 0 => *parens -= 1,
                    Some(Frame::Substitution { cases, .. }) if *cases > 0 => {}
                    Some(Frame::Substitution { .. }) => self.pop(),
                    _ => {}
                }
            }
            b'\n' => {
                self.end_word();
                self.command_position = true;
                self.start_body();
            }
            b' ' | b'\t' => self.end_word(),
            b';' | b'&' | b'|' => {
                self.end_word();
                self.command_position = true;
            }
            b'<' | b'>' => {
                self.end_word();
                if byte == b'<' {
                    self.less_thans = (less_thans + 1).min(3);
                }
            }
            _ => self.word_byte(byte, value),
        }
    }

    fn word_byte(&mut self, byte: u8, value: Option<Pos>) {
        self.in_word = true;
        self.word_tainted |= value.is_some();
        if self.word.len() <= 8 {
            self.word.push(byte);
        }
    }

    /// At the end of a word of a command context: follows `case … esac` and where commands
    /// start.
    fn end_word(&mut self) {
        if !std::mem::take(&mut self.in_word) {
            return;
        }
        let word = std::mem::take(&mut self.word);
        let keyword = !std::mem::take(&mut self.word_tainted) && self.command_position;
        let cases = match self.stack.last_mut() {
            Some(Frame::Substitution { cases, .. }) => Some(cases),
            _ => None,
        };
        match (keyword, word.as_slice(), cases) {
            (true, b"case", Some(cases)) => *cases += 1,
            (true, b"esac", Some(cases)) => *cases = cases.saturating_sub(1),
            (true, word, _) if KEEP_COMMAND_POSITION.contains(&word) => return,
            _ => {}
        }
        self.command_position = false;
    }

    fn quoted_byte(&mut self, byte: u8, close: u8) {
        match byte {
            _ if byte == close => self.pop(),
            // Backquotes are read before quotes: their backslashes count inside `'…'` too.
            b'\\' if self.in_backquotes() => self.escaped = true,
            b'`' if self.in_backquotes() => self.backquote(),
            _ => {}
        }
    }

    fn escapable_quoted_byte(&mut self, byte: u8, close: u8) {
        match byte {
            b'\\' => self.escaped = true,
            _ => self.quoted_byte(byte, close),
        }
    }

    /// Inside `"…"` (with `close`) or an unquoted here-document body: `$`, `` ` `` and `\`
    /// stay special.
    fn expanding_byte(&mut self, byte: u8, after_dollar: bool, close: Option<u8>) {
        match byte {
            _ if Some(byte) == close => self.pop(),
            b'\\' => self.escaped = true,
            b'$' => self.after_dollar = !after_dollar,
            b'`' => self.backquote(),
            _ => {}
        }
    }

    fn comment_byte(&mut self, byte: u8, value: Option<Pos>, less_thans: u8) {
        match byte {
            b'\n' => {
                self.stack.pop();
                self.command_byte(byte, value, false, less_thans);
            }
            _ => self.quoted_byte(byte, b'\n'),
        }
    }

    fn parameter_byte(&mut self, byte: u8, after_dollar: bool, braces: u32, in_double_quotes: bool) {
        match byte {
            b'}' if braces == 0 => self.pop(),
            b'}' | b'{' => {
                if let Some(Frame::Parameter { braces, .. }) = self.stack.last_mut() {
                    *braces = if byte == b'{' { *braces + 1 } else { braces.saturating_sub(1) };
                }
            }
            b'\'' if !in_double_quotes => self.stack.push(Frame::Single),
            b'"' => self.stack.push(Frame::Double),
            _ => self.expanding_byte(byte, after_dollar, None),
        }
    }

    fn arithmetic_byte(&mut self, byte: u8, after_dollar: bool, parens: u32) {
        let top = self.stack.last_mut();
        match (byte, top) {
            (b'(', Some(Frame::Arithmetic { parens })) => *parens += 1,
            (b')', Some(top)) => {
                *top = if parens > 0 { Frame::Arithmetic { parens: parens - 1 } } else { Frame::ArithmeticEnd }
            }
            _ => self.expanding_byte(byte, after_dollar, None),
        }
    }
}

impl ShellScan {
    fn bracket_arithmetic_byte(&mut self, byte: u8, after_dollar: bool, brackets: u32) {
        match byte {
            b']' if brackets == 0 => self.pop(),
            b'[' | b']' => {
                if let Some(Frame::BracketArithmetic { brackets }) = self.stack.last_mut() {
                    *brackets = if byte == b'[' { *brackets + 1 } else { brackets.saturating_sub(1) };
                }
            }
            _ => self.expanding_byte(byte, after_dollar, None),
        }
    }
}

fn shell_error(error: ShellEscapeError, pos: Pos) -> RenderError {
    RenderError::new(RenderErrorKind::Shell(error), pos)
}

fn ends_here_doc(body: &Body, pos: Option<Pos>) -> RenderError {
    let delimiter = String::from_utf8_lossy(&body.doc.delimiter).into_owned();
    shell_error(ShellEscapeError::EndsHereDoc(delimiter), pos.unwrap_or_default())
}

/// Escapes `text` for `quoting`; `command_word` when it would be the name of a command.
fn push_escaped(quoting: Quoting, text: &str, command_word: bool, out: &mut String) -> Result<(), ShellEscapeError> {
    match quoting {
        Quoting::Bare if command_word => push_command_word(text, out),
        Quoting::Bare => crate::destination::push_shell_word(text, out),
        Quoting::Single => crate::destination::push_in_single_quotes(text, out),
        Quoting::Double => crate::destination::push_in_double_quotes(text, out),
        Quoting::Comment => crate::destination::push_in_comment(text, out),
        Quoting::HereDoc => crate::destination::push_in_here_doc(text, out),
        // Nothing is special here; a line equal to the delimiter is caught by the scan.
        Quoting::HereDocLiteral => out.push_str(text),
        Quoting::Arithmetic if is_integer(text) => out.push_str(text),
        Quoting::Arithmetic => return Err(ShellEscapeError::NotAnInteger),
        Quoting::Unsafe(context) => return Err(ShellEscapeError::Unsafe(context)),
    }
    Ok(())
}

/// Where a command name goes, an unquoted reserved word (`if`, `esac`) or assignment
/// (`PATH=/tmp`) would change how the shell reads the command: quote them.
fn push_command_word(text: &str, out: &mut String) {
    const RESERVED: [&str; 16] = [
        "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in", "select", "then", "time",
        "until", "while",
    ];
    let safe = !text.is_empty() && text.bytes().all(crate::destination::is_shell_safe);
    if safe && (RESERVED.contains(&text) || text.contains('=')) {
        out.push('\'');
        out.push_str(text);
        out.push('\'');
    } else {
        crate::destination::push_shell_word(text, out);
    }
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// Backquotes remove one backslash before `\`, `` ` `` and `$` before their command is read.
fn in_backquotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for ch in text.chars() {
        if matches!(ch, '\\' | '`' | '$') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoting(command: &str) -> Quoting {
        ShellScan::default().quoting_after(command)
    }

    #[test]
    fn the_scan_follows_escapes_and_quote_changes() {
        let mut scan = ShellScan::default();
        assert_eq!(scan.quoting_after("echo '"), Quoting::Single);
        assert_eq!(scan.quoting_after("echo 'a' \""), Quoting::Double);
        assert_eq!(scan.quoting_after("echo 'a' \"b\\\""), Quoting::Double);
        assert_eq!(scan.quoting_after("echo 'a' \"b\\\"\""), Quoting::Bare);
        assert_eq!(quoting("echo \\' "), Quoting::Bare);
    }

    #[test]
    fn substitutions_start_an_unquoted_command_even_inside_quotes() {
        assert_eq!(quoting("echo \"$(echo "), Quoting::Bare);
        assert_eq!(quoting("echo \"`echo "), Quoting::Bare);
        assert_eq!(quoting("echo \"$(echo \"$(printf '%s' "), Quoting::Bare);
        assert_eq!(quoting("echo \"$(printf '"), Quoting::Single);
        assert_eq!(quoting("echo \"$(echo \")\" "), Quoting::Bare);
        assert_eq!(quoting("echo \"$(echo \")\") "), Quoting::Double);
        assert_eq!(quoting("echo \"$(echo (a) ')' \")\") "), Quoting::Double);
        assert_eq!(quoting("echo \"$(case x in a) echo;; esac) "), Quoting::Double);
        assert_eq!(quoting("echo \"`echo '`' "), Quoting::Double);
        assert_eq!(quoting("echo $(( 1 + "), Quoting::Arithmetic);
        assert_eq!(quoting("(( 1 + "), Quoting::Arithmetic);
        assert_eq!(quoting("echo $(( (1) )) "), Quoting::Bare);
        assert_eq!(quoting("echo $[ a[1] + "), Quoting::Arithmetic);
        assert_eq!(quoting("echo \"$[ a[1] ] "), Quoting::Double);
        assert_eq!(quoting("echo \"$( (a) ) "), Quoting::Double);
    }

    #[test]
    fn a_hash_starts_a_comment_only_at_the_start_of_a_word() {
        assert_eq!(quoting("echo a # "), Quoting::Comment);
        assert_eq!(quoting("echo a #\n"), Quoting::Bare);
        assert_eq!(quoting("echo a#b "), Quoting::Bare);
        assert_eq!(quoting("echo $# "), Quoting::Bare);
        assert_eq!(quoting("echo ${#x} "), Quoting::Bare);
        assert_eq!(quoting("echo '#' "), Quoting::Bare);
        assert_eq!(quoting("echo \"$(# ) \n"), Quoting::Bare);
        assert_eq!(quoting("echo \"$(# )\n)"), Quoting::Double);
    }

    #[test]
    fn here_document_bodies_start_on_the_next_line_and_end_at_the_delimiter() {
        assert_eq!(quoting("cat <<EOF | grep '"), Quoting::Single);
        assert_eq!(quoting("cat <<EOF | grep 'x'\n'"), Quoting::HereDoc);
        assert_eq!(quoting("cat <<'EOF'\n"), Quoting::HereDocLiteral);
        assert_eq!(quoting("cat <<\"EOF\"\n"), Quoting::HereDocLiteral);
        assert_eq!(quoting("cat <<\\EOF\n"), Quoting::HereDocLiteral);
        assert_eq!(quoting("cat <<EOF\n$(echo "), Quoting::Bare);
        assert_eq!(quoting("cat <<EOF\nEOFx\n EOF\n"), Quoting::HereDoc);
        assert_eq!(quoting("cat <<EOF\nEOF\n"), Quoting::Bare);
        assert_eq!(quoting("cat <<-EOF\n\t\tEOF\n"), Quoting::Bare);
        assert_eq!(quoting("cat <<EOF\n\tEOF\n"), Quoting::HereDoc);
        assert_eq!(quoting("cat <<A <<'B'\nA\n"), Quoting::HereDocLiteral);
        assert_eq!(quoting("cat <<A <<'B'\nA\nB\n"), Quoting::Bare);
        assert_eq!(quoting("cat <<<"), Quoting::Bare);
        assert_eq!(quoting("echo $((1<<2)) "), Quoting::Bare);
        assert_eq!(quoting("cat <<"), Quoting::Unsafe(UnsafeShellContext::HereDocDelimiter));
        assert_eq!(quoting("cat << E"), Quoting::Unsafe(UnsafeShellContext::HereDocDelimiter));
        assert_eq!(quoting("cat <<A\n$(cat <<B\n"), Quoting::Unsafe(UnsafeShellContext::NestedHereDoc));
        assert_eq!(quoting("echo `cat <<A\n"), Quoting::Unsafe(UnsafeShellContext::HereDocInBackquotes));
    }

    #[test]
    fn places_without_a_safe_escaping_are_unsafe() {
        assert_eq!(quoting("echo ${x:-"), Quoting::Unsafe(UnsafeShellContext::ParameterExpansion));
        assert_eq!(quoting("echo \"${x:-\""), Quoting::Unsafe(UnsafeShellContext::ParameterExpansion));
        assert_eq!(quoting("echo \"${x:-$(echo "), Quoting::Bare);
        assert_eq!(quoting("echo ${x} "), Quoting::Bare);
        assert_eq!(quoting("echo $'"), Quoting::Unsafe(UnsafeShellContext::AnsiCQuotes));
        assert_eq!(quoting("echo \"$'"), Quoting::Double);
        assert_eq!(quoting("echo $"), Quoting::Unsafe(UnsafeShellContext::AfterDollar));
        assert_eq!(quoting("echo $$"), Quoting::Bare);
        assert_eq!(quoting("echo \\"), Quoting::Unsafe(UnsafeShellContext::AfterBackslash));
        assert_eq!(quoting("echo `a \\`b "), Quoting::Unsafe(UnsafeShellContext::NestedBackquotes));
    }
}
