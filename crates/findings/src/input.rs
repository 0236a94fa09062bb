//! The byte source every parser reads from: a buffer that enforces the size limit and counts bytes and lines
//! consumed, so errors can say where they happened.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use crate::error::{ImportError, Position};

/// Counters shared between the input and the importer (the parser owns the input).
///
/// Lines are counted per buffer read, not per byte consumed (parsers consume a few bytes at a time): the offsets of
/// the newlines read but perhaps not yet consumed are kept, and a position counts those before the consumed offset.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    consumed: Cell<u64>,
    /// Newlines before the first offset in `newline_offsets`.
    lines_before: Cell<u64>,
    /// Absolute offsets of the newlines read and not yet known to be consumed.
    newline_offsets: RefCell<VecDeque<u64>>,
    read: Cell<u64>,
    over_limit: Cell<bool>,
}

impl Counters {
    pub(crate) fn position(&self) -> Position {
        let consumed = self.consumed.get();
        let pending = self.newline_offsets.borrow().partition_point(|&o| o < consumed) as u64;
        Position {
            byte: consumed,
            line: self.lines_before.get() + pending + 1,
            column: None,
        }
    }

    /// Notes the newlines of bytes just read at absolute offset `start`, forgetting those already consumed.
    fn note_read(&self, start: u64, bytes: &[u8]) {
        let consumed = self.consumed.get();
        let mut offsets = self.newline_offsets.borrow_mut();
        let mut before = self.lines_before.get();
        while offsets.front().is_some_and(|&o| o < consumed) {
            offsets.pop_front();
            before += 1;
        }
        self.lines_before.set(before);
        offsets.extend(memchr::memchr_iter(b'\n', bytes).map(|i| start + i as u64));
    }

    pub(crate) fn over_limit(&self) -> bool {
        self.over_limit.get()
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.read.get()
    }
}

/// The marker error the input returns when the size limit is passed.
#[derive(Debug)]
struct SizeLimit;

impl std::fmt::Display for SizeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("size limit exceeded")
    }
}

impl std::error::Error for SizeLimit {}

const BUFFER: usize = 64 * 1024;

pub(crate) struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    max_bytes: u64,
    eof: bool,
    counters: Rc<Counters>,
}

impl<R: Read> Input<R> {
    pub(crate) fn new(inner: R, max_bytes: u64) -> Input<R> {
        Input {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            filled: 0,
            max_bytes,
            eof: false,
            counters: Rc::new(Counters::default()),
        }
    }

    pub(crate) fn counters(&self) -> Rc<Counters> {
        Rc::clone(&self.counters)
    }

    /// Reads more into the buffer; returns the number of new bytes (0 at end of input).
    fn read_more(&mut self) -> io::Result<usize> {
        if self.eof {
            return Ok(0);
        }
        if self.pos > 0 && self.pos == self.filled {
            self.pos = 0;
            self.filled = 0;
        }
        if self.filled == self.buf.len() {
            // Make room by moving the unconsumed bytes to the front.
            self.buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.pos = 0;
        }
        if self.filled == self.buf.len() {
            return Ok(0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.eof = true;
            return Ok(0);
        }
        let start = self.counters.read.get();
        let total = start + n as u64;
        self.counters.read.set(total);
        if total > self.max_bytes {
            self.counters.over_limit.set(true);
            self.eof = true;
            return Err(io::Error::other(SizeLimit));
        }
        self.counters.note_read(start, &self.buf[self.filled..self.filled + n]);
        self.filled += n;
        Ok(n)
    }

    /// The first bytes of the input, up to `n` (fewer only at end of input), without consuming them.
    pub(crate) fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        let n = n.min(self.buf.len());
        while self.filled - self.pos < n {
            if self.read_more()? == 0 {
                break;
            }
        }
        let end = self.filled.min(self.pos + n);
        Ok(&self.buf[self.pos..end])
    }

    /// Reads one line (up to and including `\n`) into `out`, refusing lines longer than `max`. Returns false at end of
    /// input.
    pub(crate) fn read_line_limited(&mut self, out: &mut Vec<u8>, max: usize) -> Result<bool, LineError> {
        out.clear();
        loop {
            let available = self.fill_buf().map_err(LineError::Io)?;
            if available.is_empty() {
                return Ok(!out.is_empty());
            }
            let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            if out.len() + chunk.len() > max + 1 {
                return Err(LineError::TooLong);
            }
            out.extend_from_slice(chunk);
            let len = chunk.len();
            self.consume(len);
            if done {
                return Ok(true);
            }
        }
    }
}

pub(crate) enum LineError {
    Io(io::Error),
    TooLong,
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled {
            self.read_more()?;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.filled - self.pos);
        self.counters.consumed.set(self.counters.consumed.get() + amt as u64);
        self.pos += amt;
    }
}

/// Maps an I/O error from the input to the import error it stands for.
pub(crate) fn io_error(e: io::Error, counters: &Counters, max_bytes: u64) -> ImportError {
    if counters.over_limit() {
        ImportError::TooLarge { limit: max_bytes }
    } else {
        ImportError::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_bytes_consumed() {
        let mut input = Input::new(&b"ab\ncd\nef"[..], 100);
        let mut line = Vec::new();
        assert!(input.read_line_limited(&mut line, 10).ok().unwrap());
        assert_eq!(line, b"ab\n");
        assert_eq!(input.counters().position().line, 2);
        assert_eq!(input.counters().position().byte, 3);
        let mut rest = String::new();
        input.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "cd\nef");
        assert_eq!(input.counters().position().line, 3);
    }

    #[test]
    fn refuses_more_than_the_limit_but_accepts_exactly_the_limit() {
        let mut exact = Input::new(&[b'x'; 10][..], 10);
        let mut v = Vec::new();
        assert_eq!(exact.read_to_end(&mut v).unwrap(), 10);
        let mut over = Input::new(&[b'x'; 11][..], 10);
        assert!(over.read_to_end(&mut v).is_err());
        assert!(over.counters().over_limit());
    }

    #[test]
    fn lines_are_exact_across_buffer_refills() {
        // Lines of varying length over several 64 KiB buffers, consumed a few bytes at a time.
        let mut text = Vec::new();
        for i in 0..40_000 {
            text.extend(std::iter::repeat_n(b'x', i % 13));
            text.push(b'\n');
        }
        let mut input = Input::new(&text[..], u64::MAX);
        let counters = input.counters();
        let mut consumed = 0usize;
        loop {
            let n = input.fill_buf().unwrap().len().min(7);
            if n == 0 {
                break;
            }
            input.consume(n);
            consumed += n;
            if consumed % 1001 < 7 || consumed == text.len() {
                let expected = text[..consumed].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
                assert_eq!(counters.position().line, expected, "after {consumed} bytes");
                assert_eq!(counters.position().byte, consumed as u64);
            }
        }
        assert_eq!(counters.position().line, 40_001);
    }

    #[test]
    fn peek_does_not_consume() {
        let mut input = Input::new(&b"hello world"[..], 100);
        assert_eq!(input.peek(5).unwrap(), b"hello");
        let mut s = String::new();
        input.read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello world");
    }

    #[test]
    fn long_lines_are_refused() {
        let mut input = Input::new(&b"0123456789\n"[..], 100);
        let mut line = Vec::new();
        assert!(matches!(input.read_line_limited(&mut line, 5), Err(LineError::TooLong)));
    }
}
