//! Maps byte offsets of a document's text back to its host file.
//!
//! A document read out of a host (a heredoc, a JSON string, a YAML map) is handed to the JSON
//! parser as its own text; every span the linter reports is in that text, and this map brings
//! it back to the line and column of the host file.

use crate::source::Span;

/// One stretch of the document's text and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seg {
    /// Start in the document's text.
    doc: u32,
    doc_len: u32,
    /// Start in the host file.
    host: u32,
    host_len: u32,
    /// Copied byte for byte (offsets map one to one); otherwise the stretch stands for the host
    /// range as a whole (an escape, a generated token).
    exact: bool,
}

/// Offsets of a document's text to offsets of its host file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanMap {
    /// Sorted by `doc`, back to back. Empty: the identity (the document is the whole file).
    segs: Vec<Seg>,
    /// A further map applied after this one (a document inside Terraform inside a ROS
    /// template maps to the Terraform text, then to the template).
    then: Option<std::sync::Arc<SpanMap>>,
}

impl SpanMap {
    /// The document is the host file.
    pub fn identity() -> SpanMap {
        SpanMap::default()
    }

    pub fn is_identity(&self) -> bool {
        self.segs.is_empty() && self.then.is_none()
    }

    /// This map followed by `outer`.
    pub fn then(mut self, outer: SpanMap) -> SpanMap {
        self.then = Some(std::sync::Arc::new(match self.then.take() {
            Some(mid) => (*mid).clone().then(outer),
            None => outer,
        }));
        self
    }

    /// Maps a span of the document's text into the host file.
    pub fn map(&self, span: Span) -> Span {
        let mapped = self.map_here(span);
        match &self.then {
            Some(outer) => outer.map(mapped),
            None => mapped,
        }
    }

    fn map_here(&self, span: Span) -> Span {
        if self.segs.is_empty() {
            return span;
        }
        let start = self.offset(span.start, false);
        let end = if span.end == span.start {
            start
        } else {
            self.offset(span.end, true).max(start)
        };
        Span { start, end }
    }

    /// Maps one offset; `end` picks the segment that ends at a boundary rather than the one
    /// that starts there, and a generated stretch's end rather than its start.
    fn offset(&self, at: u32, end: bool) -> u32 {
        // The last segment starting at or before `at` (before it, for an end offset).
        let i = self
            .segs
            .partition_point(|s| if end { s.doc < at } else { s.doc <= at });
        let Some(seg) = i.checked_sub(1).and_then(|i| self.segs.get(i)) else {
            return self.segs.first().map_or(at, |s| s.host);
        };
        let into = at.saturating_sub(seg.doc);
        if seg.exact {
            seg.host + into.min(seg.host_len)
        } else if end || into >= seg.doc_len {
            seg.host + seg.host_len
        } else {
            seg.host
        }
    }
}

/// Builds a document's text and its map together.
#[derive(Debug, Default)]
pub struct Builder {
    pub text: String,
    segs: Vec<Seg>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    fn push_seg(&mut self, doc_len: usize, host: Span, exact: bool) {
        let doc = self.text.len() as u32;
        if let Some(last) = self.segs.last_mut() {
            // Runs of exact copies from consecutive host bytes merge into one segment.
            if exact
                && last.exact
                && last.host + last.host_len == host.start
                && last.doc + last.doc_len == doc - doc_len as u32
            {
                last.doc_len += doc_len as u32;
                last.host_len += host.len() as u32;
                return;
            }
        }
        self.segs.push(Seg {
            doc: doc - doc_len as u32,
            doc_len: doc_len as u32,
            host: host.start,
            host_len: host.len() as u32,
            exact,
        });
    }

    /// Text copied verbatim from the host, starting at host offset `at`.
    pub fn copy(&mut self, text: &str, at: usize) {
        if text.is_empty() {
            return;
        }
        self.text.push_str(text);
        self.push_seg(text.len(), Span::new(at, at + text.len()), true);
    }

    /// Text that stands for the host range `host` as a whole (an escape sequence, a token made
    /// from an HCL or YAML value).
    pub fn emit(&mut self, text: &str, host: Span) {
        if text.is_empty() {
            return;
        }
        self.text.push_str(text);
        self.push_seg(text.len(), host, false);
    }

    pub fn finish(self) -> (String, SpanMap) {
        (
            self.text,
            SpanMap {
                segs: self.segs,
                then: None,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_generated_stretches_map_back() {
        let mut b = Builder::new();
        b.copy("{\"a\": ", 10);
        b.emit("\"", Span::new(16, 18)); // `\"` in the host
        b.copy("xy", 18);
        let (text, map) = b.finish();
        assert_eq!(text, "{\"a\": \"xy");
        assert_eq!(map.map(Span::new(1, 4)), Span::new(11, 14));
        // The generated quote covers both bytes of its escape.
        assert_eq!(map.map(Span::new(6, 7)), Span::new(16, 18));
        assert_eq!(map.map(Span::new(6, 9)), Span::new(16, 20));
        assert_eq!(map.map(Span::new(7, 9)), Span::new(18, 20));
        assert!(SpanMap::identity().is_identity());
        assert_eq!(SpanMap::identity().map(Span::new(3, 4)), Span::new(3, 4));
    }
}
