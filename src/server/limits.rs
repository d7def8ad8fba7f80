//! Bounds on what clients can hold: the time to send a request body, and how many
//! downloads stream at once (`DownloadLimit`). (The size
//! of a body is bounded by `web::PayloadConfig`, the number of open connections by
//! `HttpServer::max_connections`, both set in `server::Application::build`; the time
//! to send a request head is actix's `client_request_timeout`.)

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, ConnectionType, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpMessage;

use crate::server::errors::{shaped_error, ApiError};
use crate::server::observability::Metrics;
use bytes::Bytes;
use futures_util::Stream;

/// The largest request body the server reads (the cost assumption is a few dozen bytes).
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// A request body that fails once its deadline passes, and says so in `expired`;
/// `finished` says whether it was read to its end. The body itself is shared with
/// the middleware, which may keep it (see `body_deadline`).
struct Deadline {
    inner: Rc<RefCell<Payload>>,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: Rc<Cell<bool>>,
    finished: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut *self.inner.borrow_mut()).poll_next(cx);
        if let Poll::Ready(item) = polled {
            if item.is_none() {
                self.finished.set(true);
            }
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired.set(true);
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}

fn announces_body(request: &ServiceRequest) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|length| length.trim() != "0")
}

/// A response body that keeps the request's unread body alive until it is sent.
/// actix-http keeps reading (and discarding) a chunked body nobody holds any more,
/// with no time limit; a body still held but unread makes it close the connection
/// once the answer is out instead.
struct HoldingRequestBody {
    body: BoxBody,
    _request_body: Rc<RefCell<Payload>>,
}

impl MessageBody for HoldingRequestBody {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

/// Middleware (the outermost of the app's own, so that it sees the final answer): a
/// request body must arrive within `timeout`. A client that announces
/// a body and never sends it gets 408 and its connection is closed; a body that no
/// handler read (an unknown path, a refused token, a route without one) also closes
/// the connection after the answer, since the server would otherwise wait for the
/// rest of it with no time limit. Either way no client holds a connection forever.
pub(crate) async fn body_deadline(
    timeout: Duration,
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !announces_body(&request) {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let expired = Rc::new(Cell::new(false));
    let finished = Rc::new(Cell::new(false));
    let inner = Rc::new(RefCell::new(request.take_payload()));
    let deadline: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Deadline {
        inner: Rc::clone(&inner),
        sleep: Box::pin(tokio::time::sleep(timeout)),
        expired: Rc::clone(&expired),
        finished: Rc::clone(&finished),
    });
    request.set_payload(Payload::Stream { payload: deadline });
    let response = next.call(request).await?;
    if expired.get() {
        let (request, _) = response.into_parts();
        let mut timed_out = shaped_error(&request, StatusCode::REQUEST_TIMEOUT);
        timed_out
            .head_mut()
            .set_connection_type(ConnectionType::Close);
        return Ok(ServiceResponse::new(request, timed_out));
    }
    if finished.get() {
        return Ok(response.map_into_boxed_body());
    }
    let mut response = response.map_body(|_, body| {
        BoxBody::new(HoldingRequestBody {
            body: body.boxed(),
            _request_body: inner,
        })
    });
    response
        .response_mut()
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    Ok(response)
}

/// How many conversation downloads a server streams at once (`server.
/// max_downloads_at_once`): each holds up to two pages, a workbook also a thread
/// and a temporary file, so their number bounds the memory they take.
pub(crate) struct DownloadLimit {
    permits: Arc<tokio::sync::Semaphore>,
    send_timeout: std::time::Duration,
}

/// Seconds a client refused for too many downloads is told to wait.
pub(crate) const BUSY_RETRY_AFTER_SECONDS: u64 = 10;

impl DownloadLimit {
    pub fn new(at_once: usize, send_timeout: std::time::Duration) -> Self {
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new(at_once)),
            send_timeout,
        }
    }

    pub fn send_timeout(&self) -> std::time::Duration {
        self.send_timeout
    }

    /// A place for one more download, or 429 when all are taken.
    pub fn admit(&self, metrics: &Arc<Metrics>) -> Result<DownloadSlot, ApiError> {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy {
                retry_after_seconds: BUSY_RETRY_AFTER_SECONDS,
            })?;
        metrics.downloads_in_flight.inc();
        Ok(DownloadSlot {
            _permit: permit,
            metrics: Arc::clone(metrics),
        })
    }
}

/// One running download's place; dropping it frees the place.
pub struct DownloadSlot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl Drop for DownloadSlot {
    fn drop(&mut self) {
        self.metrics.downloads_in_flight.dec();
    }
}
