//! Text from outside (an authority's error description, a device-code message, a tool's
//! stderr) made safe for the user's terminal: escape sequences and other control characters
//! removed, whitespace folded onto one line, and a bound on its length.

/// `text` without control characters or terminal escape sequences, on one line, at most `max`
/// characters (cut with `…`).
pub fn one_line(text: &str, max: usize) -> String {
    let mut clean = String::with_capacity(text.len().min(max + 4));
    let mut chars = text.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            // ESC [ … final byte: a CSI sequence (colours, cursor moves, screen clears).
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for next in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&next) {
                            break;
                        }
                    }
                }
            }
            c if c.is_whitespace() => pending_space = !clean.is_empty(),
            c if c.is_control() => {}
            c => {
                if pending_space {
                    clean.push(' ');
                    pending_space = false;
                }
                clean.push(c);
            }
        }
    }
    match clean.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_controls_go_whitespace_folds_and_length_is_bounded() {
        assert_eq!(
            one_line(
                "\u{1b}[2J\u{1b}[31mAADSTS50126:\u{7} bad\r\n  password\u{9b}",
                100
            ),
            "AADSTS50126: bad password"
        );
        assert_eq!(one_line("  lead and trail  ", 100), "lead and trail");
        assert_eq!(one_line(&"x".repeat(10), 4), "xxxx…");
        assert_eq!(one_line("", 4), "");
    }
}
