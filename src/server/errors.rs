//! The API's one error type. The HTTP mapping lives here; the cause goes to the log,
//! never to the response body. Bodies are `{"error":{"code","message","messages","fields"}}`,
//! with `message` in the caller's language and `messages` in both.

use std::collections::BTreeMap;

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use crate::i18n::{api as words, Lang, Phrase, Template};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ApiError {
    Unauthorized,
    /// Also what an ineligible caller gets for the report: never a 403.
    NotFound,
    ForbiddenAssumption,
    CrossSite,
    BadRequest(LocalText),
    Validation(BTreeMap<&'static str, LocalText>),
    /// The report's core data could not be read in time.
    Unavailable,
    /// As many downloads as the server streams at once are running; try again
    /// after this many seconds.
    Busy {
        retry_after_seconds: u64,
    },
    /// Something failed that the caller cannot fix; the cause goes to the log with
    /// its whole chain, never to the caller.
    Internal(Cause),
    /// An answer of the HTTP layer (a query it could not read, a wrong method, a
    /// body too large or too slow, an unknown path), in our own shape and words.
    Http(StatusCode),
}

/// Why a request failed inside the server: the error itself, so its sources reach
/// the log (`Cause::chain`), shared so that an `ApiError` stays `Clone`.
#[derive(Debug, Clone)]
pub(crate) struct Cause(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    /// The error and each of its sources, as one line ("a: b: c"), each said once.
    pub fn chain(&self) -> String {
        let mut line = self.0.to_string();
        let mut source = self.0.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !line.contains(&text) {
                line.push_str(": ");
                line.push_str(&text);
            }
            source = cause.source();
        }
        line
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.chain())
    }
}

/// Two causes are the same failure when they say the same (errors have no
/// equality of their own).
impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.chain() == other.chain()
    }
}

/// What the server was doing when an error stopped it, with that error as its
/// source.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
struct Failed {
    what: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// A message in both languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LocalText {
    pub en: String,
    pub id: String,
}

impl LocalText {
    pub fn from(phrase: impl Into<Template>, values: &[(&str, String)]) -> Self {
        let phrase = phrase.into();
        Self {
            en: phrase.fill(Lang::En, values),
            id: phrase.fill(Lang::Id, values),
        }
    }

    /// A phrase whose values each language writes its own way (numbers, dates):
    /// `values` gives them in the language asked for.
    pub fn each(
        phrase: impl Into<Template>,
        values: impl Fn(Lang) -> Vec<(&'static str, String)>,
    ) -> Self {
        let phrase = phrase.into();
        Self {
            en: phrase.fill(Lang::En, &values(Lang::En)),
            id: phrase.fill(Lang::Id, &values(Lang::Id)),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

impl ApiError {
    /// An internal failure while doing `what`, caused by `source` (kept whole, so
    /// the log says both: "rendering metrics: …").
    pub fn failed(
        what: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::internal(Failed {
            what,
            source: Box::new(source),
        })
    }

    /// An internal failure with its cause: an error (whose sources are kept) or,
    /// where there is none, a sentence.
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ApiError::Internal(Cause(std::sync::Arc::from(cause.into())))
    }

    pub fn bad_request(phrase: impl Into<Template>, values: &[(&str, String)]) -> Self {
        ApiError::BadRequest(LocalText::from(phrase, values))
    }

    /// A bad request whose message holds a date or number, written in each
    /// language's own way (see `LocalText::each`).
    pub fn bad_request_each(
        phrase: impl Into<Template>,
        values: impl Fn(Lang) -> Vec<(&'static str, String)>,
    ) -> Self {
        ApiError::BadRequest(LocalText::each(phrase, values))
    }

    /// The error with its message in the caller's language.
    pub fn in_lang(self, lang: Lang) -> LocalizedError {
        LocalizedError { error: self, lang }
    }

    fn parts(&self) -> (StatusCode, &'static str, LocalText) {
        let text = |phrase: Phrase| LocalText::from(phrase, &[]);
        match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                text(words::UNAUTHORIZED),
            ),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found", text(words::NOT_FOUND)),
            ApiError::ForbiddenAssumption => (
                StatusCode::FORBIDDEN,
                "forbidden",
                text(words::FORBIDDEN_ASSUMPTION),
            ),
            ApiError::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site_request",
                text(words::CROSS_SITE),
            ),
            ApiError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                text(words::INVALID_FIELDS),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "report_unavailable",
                text(words::UNAVAILABLE),
            ),
            ApiError::Busy { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_downloads",
                text(words::BUSY_DOWNLOADS),
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                text(words::INTERNAL),
            ),
            ApiError::Http(status) => {
                let (code, phrase) = match *status {
                    StatusCode::NOT_FOUND => ("not_found", words::NOT_FOUND),
                    StatusCode::METHOD_NOT_ALLOWED => {
                        ("method_not_allowed", words::METHOD_NOT_ALLOWED)
                    }
                    StatusCode::REQUEST_TIMEOUT => ("request_timeout", words::BODY_TIMEOUT),
                    StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", words::TOO_LARGE),
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
                        ("headers_too_large", words::TOO_LARGE)
                    }
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                        ("unsupported_media_type", words::UNSUPPORTED_MEDIA)
                    }
                    status if status.is_server_error() => ("internal", words::INTERNAL),
                    _ => ("bad_request", words::BAD_REQUEST),
                };
                (*status, code, text(phrase))
            }
        }
    }

    fn body(&self, lang: Lang) -> serde_json::Value {
        let (_, code, message) = self.parts();
        let mut error = serde_json::json!({
            "code": code,
            "message": message.get(lang),
            "messages": message,
        });
        if let ApiError::Validation(fields) = self {
            error["fields"] = serde_json::json!(fields
                .iter()
                .map(|(field, text)| (
                    *field,
                    serde_json::json!({"message": text.get(lang), "messages": text})
                ))
                .collect::<BTreeMap<_, _>>());
        }
        serde_json::json!({ "error": error })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Internal(cause) => write!(f, "internal error: {cause}"),
            other => write!(f, "{}", other.parts().1),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        LocalizedError {
            error: self.clone(),
            lang: Lang::En,
        }
        .error_response()
    }
}

/// An `ApiError` whose message is in a known language.
#[derive(Debug)]
pub(crate) struct LocalizedError {
    pub error: ApiError,
    pub lang: Lang,
}

impl std::fmt::Display for LocalizedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for LocalizedError {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = &self.error {
            tracing::error!(cause = %cause.chain(), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        if self.error == ApiError::Unauthorized {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let ApiError::Busy {
            retry_after_seconds,
        } = self.error
        {
            response.insert_header(("Retry-After", retry_after_seconds.to_string()));
        }
        response
            .insert_header(("Cache-Control", "no-store"))
            .json(self.error.body(self.lang))
    }
}

/// Which kind of answer a path gets when something goes wrong: the JSON error shape
/// of `docs/openapi.json`, or the page's error view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    Api,
    Page,
}

impl Surface {
    pub fn of(path: &str) -> Self {
        // The sign-in link (`/auth/handoff`) is opened by a person in a browser, so
        // it answers in the page's shape.
        const API: [&str; 4] = ["/api/", "/healthz", "/readyz", "/metrics"];
        if API.iter().any(|prefix| path.starts_with(prefix)) {
            Surface::Api
        } else {
            Surface::Page
        }
    }

    /// Whether a response already has this surface's error shape.
    fn is_shaped(self, response: &HttpResponse<impl actix_web::body::MessageBody>) -> bool {
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        match self {
            Surface::Api => content_type.starts_with("application/json"),
            Surface::Page => content_type.starts_with("text/html"),
        }
    }
}

/// The language of an answer given before anyone signed in: `lang` in the query,
/// else the browser's first choice, else English.
pub(crate) fn request_lang(request: &HttpRequest) -> Lang {
    let query_lang = request
        .query_string()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "lang")
        .and_then(|(_, value)| Lang::parse(value));
    query_lang.unwrap_or_else(|| {
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(Lang::from_tag)
            .unwrap_or(Lang::En)
    })
}

/// Middleware: every error the framework answers by itself (a query it cannot read,
/// a wrong method, a body too large, an unknown path) is given our shape on the way
/// out, so no framework wording reaches anyone: the JSON error on API paths, the
/// page's error view elsewhere. Headers that matter (`Allow`) are kept.
pub(crate) async fn shape_errors(
    request: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Handlers and extractors answer their errors as responses; only a broken
    // service would return an error here, and actix answers that with a plain 500.
    let response = next.call(request).await?.map_into_boxed_body();
    let status = response.status();
    let surface = Surface::of(response.request().path());
    if !(status.is_client_error() || status.is_server_error())
        || surface.is_shaped(response.response())
    {
        return Ok(response);
    }
    let (request, original) = response.into_parts();
    let mut shaped = shaped_error(&request, status);
    for name in [header::ALLOW, header::CONNECTION] {
        if let Some(value) = original.headers().get(&name) {
            shaped.headers_mut().insert(name, value.clone());
        }
    }
    if original.head().connection_type() == ConnectionType::Close {
        shaped.head_mut().set_connection_type(ConnectionType::Close);
    }
    Ok(ServiceResponse::new(request, shaped))
}

/// The answer of our own shape for an HTTP status, for the surface the request's
/// path belongs to, in the language the request asks for.
pub(crate) fn shaped_error(request: &HttpRequest, status: StatusCode) -> HttpResponse {
    let lang = request_lang(request);
    match Surface::of(request.path()) {
        Surface::Api => ApiError::Http(status).in_lang(lang).error_response(),
        Surface::Page => crate::server::view::error_view(status, lang),
    }
}

/// A route's resource that answers other methods with 405 and the `Allow` header
/// (`allow` lists the methods its routes take).
pub(crate) fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    actix_web::web::resource(path).default_service(actix_web::web::to(move || async move {
        HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, allow))
            .finish()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_never_reach_the_body() {
        let body = ApiError::internal("password authentication failed for user app").body(Lang::En);
        assert!(!body.to_string().contains("password"));
        assert_eq!(body["error"]["code"], "internal");
    }

    #[test]
    fn a_cause_keeps_its_sources_for_the_log_and_never_shows_them() {
        #[derive(Debug, thiserror::Error)]
        #[error("the temporary file could not be written")]
        struct Outer(#[source] std::io::Error);
        let disk = std::io::Error::other("no space left on device");
        let error = ApiError::failed("writing the daily workbook", Outer(disk));
        let ApiError::Internal(cause) = &error else {
            panic!("an internal error");
        };
        assert_eq!(
            cause.chain(),
            "writing the daily workbook: the temporary file could not be written: no space left on device"
        );
        let body = error.body(Lang::En).to_string();
        assert!(
            !body.contains("space") && !body.contains("workbook"),
            "{body}"
        );
    }

    #[test]
    fn messages_come_in_the_callers_language_and_in_both() {
        let body = ApiError::Unavailable.body(Lang::Id);
        assert_eq!(
            body["error"]["message"],
            "Kami tidak dapat memuat laporan Anda. Coba lagi."
        );
        assert_eq!(
            body["error"]["messages"]["en"],
            "We couldn't load your report. Try again."
        );
    }
}
