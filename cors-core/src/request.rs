//! The request as the policy sees it: the method and four headers, borrowed.

use crate::allow_headers::MAX_REQUEST_HEADER_LINES;

/// A header that may come on several lines, of which only the first matters (and
/// whether there were more, since a browser sends exactly one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Single<'r> {
    #[default]
    Absent,
    One(&'r [u8]),
    Several,
}

impl<'r> Single<'r> {
    fn from_values(values: impl IntoIterator<Item = &'r [u8]>) -> Self {
        let mut values = values.into_iter();
        match (values.next(), values.next()) {
            (None, _) => Single::Absent,
            (Some(one), None) => Single::One(one),
            (Some(_), Some(_)) => Single::Several,
        }
    }

    pub(crate) fn is_present(&self) -> bool {
        !matches!(self, Single::Absent)
    }
}

/// A request header that the decision can depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestHeader {
    /// `origin`
    Origin,
    /// `access-control-request-method`
    RequestMethod,
    /// `access-control-request-headers`
    RequestHeaders,
    /// `access-control-request-private-network`
    RequestPrivateNetwork,
}

impl RequestHeader {
    /// The lower-case header name.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestHeader::Origin => "origin",
            RequestHeader::RequestMethod => "access-control-request-method",
            RequestHeader::RequestHeaders => "access-control-request-headers",
            RequestHeader::RequestPrivateNetwork => "access-control-request-private-network",
        }
    }
}

/// The facts of a request that CORS depends on, borrowed from the framework's request
/// without copying: the method, and the values of `Origin`,
/// `Access-Control-Request-Method`, `Access-Control-Request-Headers` and
/// `Access-Control-Request-Private-Network`.
///
/// An adapter builds one per request and hands it to
/// [`Policy::decide`](crate::Policy::decide). Each setter takes every line of its header,
/// in order, so that duplicates are seen:
///
/// ```
/// use cors_core::adapter::RequestView;
///
/// let origin = b"https://app.example.com";
/// let request = RequestView::new("OPTIONS")
///     .origin([&origin[..]])
///     .request_method([&b"PUT"[..]])
///     .request_headers([&b"content-type"[..], &b"x-api-key"[..]]);
/// assert!(request.is_preflight());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'r> {
    pub(crate) method: &'r str,
    pub(crate) origin: Single<'r>,
    pub(crate) request_method: Single<'r>,
    /// The first lines of `Access-Control-Request-Headers`, kept inline so that no
    /// request allocates; `header_line_count` counts all of them.
    pub(crate) header_lines: [&'r [u8]; MAX_REQUEST_HEADER_LINES],
    pub(crate) header_line_count: usize,
    pub(crate) private_network: Single<'r>,
}

impl<'r> RequestView<'r> {
    /// A request with this method (as sent: methods are case-sensitive) and none of the
    /// CORS headers.
    pub fn new(method: &'r str) -> Self {
        RequestView {
            method,
            origin: Single::Absent,
            request_method: Single::Absent,
            header_lines: [&[]; MAX_REQUEST_HEADER_LINES],
            header_line_count: 0,
            private_network: Single::Absent,
        }
    }

    /// The view of a request, reading each header the decision can depend on through
    /// `lines`, which returns every line of the named header, in order. This is how
    /// adapters build it: only a preflight (`OPTIONS` with an `Origin`) depends on the
    /// three `Access-Control-Request-*` headers, so any other request costs a single
    /// header lookup.
    ///
    /// ```
    /// use cors_core::adapter::{RequestHeader, RequestView};
    ///
    /// let headers: &[(&str, &[u8])] = &[
    ///     ("origin", b"https://app.example.com"),
    ///     ("access-control-request-method", b"PUT"),
    /// ];
    /// let lines = |name: RequestHeader| {
    ///     headers.iter().filter(move |(n, _)| *n == name.as_str()).map(|(_, v)| *v)
    /// };
    /// assert!(RequestView::from_headers("OPTIONS", lines).is_preflight());
    /// // A GET never asks for the preflight headers: they cannot change its answer.
    /// assert!(!RequestView::from_headers("GET", lines).is_preflight());
    /// ```
    pub fn from_headers<I>(method: &'r str, mut lines: impl FnMut(RequestHeader) -> I) -> Self
    where
        I: IntoIterator<Item = &'r [u8]>,
    {
        RequestView::new(method)
            .origin(lines(RequestHeader::Origin))
            .preflight_lines(lines)
    }

    /// The three `Access-Control-Request-*` headers, read through `lines` only when the
    /// request may be a preflight (`OPTIONS` with an `Origin`, which must be set
    /// before): [`RequestView::from_headers`] after the origin, for an adapter that read
    /// `Origin` itself.
    #[must_use]
    pub fn preflight_lines<I>(self, mut lines: impl FnMut(RequestHeader) -> I) -> Self
    where
        I: IntoIterator<Item = &'r [u8]>,
    {
        // Fetch, "CORS protocol": a CORS-preflight request is an OPTIONS request with
        // `Origin` and `Access-Control-Request-Method`; nothing else reads the rest.
        if self.method != "OPTIONS" || !self.origin.is_present() {
            return self;
        }
        self.request_method(lines(RequestHeader::RequestMethod))
            .request_headers(lines(RequestHeader::RequestHeaders))
            .request_private_network(lines(RequestHeader::RequestPrivateNetwork))
    }

    /// The values of every `Origin` line.
    #[must_use]
    pub fn origin(mut self, values: impl IntoIterator<Item = &'r [u8]>) -> Self {
        self.origin = Single::from_values(values);
        self
    }

    /// The values of every `Access-Control-Request-Method` line.
    #[must_use]
    pub fn request_method(mut self, values: impl IntoIterator<Item = &'r [u8]>) -> Self {
        self.request_method = Single::from_values(values);
        self
    }

    /// The values of every `Access-Control-Request-Headers` line.
    #[must_use]
    pub fn request_headers(mut self, values: impl IntoIterator<Item = &'r [u8]>) -> Self {
        let mut count = 0;
        for value in values {
            if let Some(slot) = self.header_lines.get_mut(count) {
                *slot = value;
            }
            count += 1;
        }
        self.header_line_count = count;
        self
    }

    /// The values of every `Access-Control-Request-Private-Network` line.
    #[must_use]
    pub fn request_private_network(mut self, values: impl IntoIterator<Item = &'r [u8]>) -> Self {
        self.private_network = Single::from_values(values);
        self
    }

    /// Whether this is a CORS-preflight request: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method` (Fetch, "CORS protocol"). Any other request,
    /// `OPTIONS` included, is the application's.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.origin.is_present() && self.request_method.is_present()
    }

    /// The `Access-Control-Request-Headers` lines that were kept.
    pub(crate) fn header_lines(&self) -> &[&'r [u8]] {
        &self.header_lines[..self.header_line_count.min(MAX_REQUEST_HEADER_LINES)]
    }

    /// Whether the preflight asks for private network access.
    pub(crate) fn asks_private_network(&self) -> bool {
        matches!(self.private_network, Single::One(b"true"))
    }

    /// The first `Origin` line, for logs.
    pub(crate) fn origin_line(&self) -> Option<&'r [u8]> {
        match self.origin {
            Single::One(origin) => Some(origin),
            Single::Absent | Single::Several => None,
        }
    }
}

/// An owned copy of a [`RequestView`] (without its method), for the adapters' path that
/// must await an origin lookup while the request moves on.
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnedRequestView {
    origin: OwnedSingle,
    request_method: OwnedSingle,
    header_lines: Vec<Vec<u8>>,
    header_line_count: usize,
    private_network: OwnedSingle,
    preflight: bool,
}

#[derive(Debug, Clone, Default)]
enum OwnedSingle {
    #[default]
    Absent,
    One(Vec<u8>),
    Several,
}

impl OwnedSingle {
    fn of(single: Single<'_>) -> Self {
        match single {
            Single::Absent => OwnedSingle::Absent,
            Single::One(value) => OwnedSingle::One(value.to_vec()),
            Single::Several => OwnedSingle::Several,
        }
    }

    fn borrowed(&self) -> Single<'_> {
        match self {
            OwnedSingle::Absent => Single::Absent,
            OwnedSingle::One(value) => Single::One(value),
            OwnedSingle::Several => Single::Several,
        }
    }
}

impl OwnedRequestView {
    pub(crate) fn of(view: &RequestView<'_>) -> Self {
        OwnedRequestView {
            origin: OwnedSingle::of(view.origin),
            request_method: OwnedSingle::of(view.request_method),
            header_lines: view
                .header_lines()
                .iter()
                .map(|line| line.to_vec())
                .collect(),
            header_line_count: view.header_line_count,
            private_network: OwnedSingle::of(view.private_network),
            preflight: view.is_preflight(),
        }
    }

    pub(crate) fn is_preflight(&self) -> bool {
        self.preflight
    }

    /// The view again, borrowing this copy, with the request's `method`.
    pub(crate) fn view<'a>(&'a self, method: &'a str) -> RequestView<'a> {
        let mut view = RequestView::new(method);
        view.origin = self.origin.borrowed();
        view.request_method = self.request_method.borrowed();
        for (slot, line) in view.header_lines.iter_mut().zip(&self.header_lines) {
            *slot = line;
        }
        view.header_line_count = self.header_line_count;
        view.private_network = self.private_network.borrowed();
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_needs_options_origin_and_request_method() {
        let o: &[u8] = b"https://a.com";
        let m: &[u8] = b"PUT";
        assert!(RequestView::new("OPTIONS")
            .origin([o])
            .request_method([m])
            .is_preflight());
        assert!(!RequestView::new("OPTIONS").origin([o]).is_preflight());
        assert!(!RequestView::new("OPTIONS")
            .request_method([m])
            .is_preflight());
        assert!(!RequestView::new("options")
            .origin([o])
            .request_method([m])
            .is_preflight());
        assert!(!RequestView::new("GET")
            .origin([o])
            .request_method([m])
            .is_preflight());
    }

    #[test]
    fn only_a_preflight_reads_the_request_headers() {
        let read = |method| {
            let mut asked = Vec::new();
            let view = RequestView::from_headers(method, |name| {
                asked.push(name);
                let value: &[u8] = match name {
                    RequestHeader::Origin => b"https://a.com",
                    RequestHeader::RequestMethod => b"PUT",
                    RequestHeader::RequestHeaders => b"x-a",
                    RequestHeader::RequestPrivateNetwork => b"true",
                };
                [value]
            });
            let copy = OwnedRequestView::of(&view);
            assert_eq!(copy.view(method).header_lines(), view.header_lines());
            (
                copy.view(method).is_preflight(),
                view.header_line_count,
                asked.len(),
            )
        };
        assert_eq!(read("OPTIONS"), (true, 1, 4));
        assert_eq!(read("GET"), (false, 0, 1));
        assert_eq!(read("options"), (false, 0, 1));
        let without_origin = RequestView::from_headers("OPTIONS", |name| {
            (name != RequestHeader::Origin).then_some(&b"PUT"[..])
        });
        assert!(!without_origin.is_preflight());
    }

    #[test]
    fn several_lines_are_counted_not_copied() {
        let lines: Vec<&[u8]> = vec![b"a"; 20];
        let view = RequestView::new("OPTIONS").request_headers(lines.iter().copied());
        assert_eq!(view.header_line_count, 20);
        assert_eq!(view.header_lines().len(), MAX_REQUEST_HEADER_LINES);
        let o: &[u8] = b"x";
        assert_eq!(
            RequestView::new("GET").origin([o, o]).origin,
            Single::Several
        );
    }
}
