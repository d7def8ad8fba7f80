//! Bounds on what one client can hold: the time to send a request body. (The size
//! of a body is bounded by `web::PayloadConfig`, the number of open connections by
//! `HttpServer::max_connections`, both set in `server::Application::build`; the time
//! to send a request head is actix's `client_request_timeout`.)

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use bytes::Bytes;
use futures_util::Stream;

/// The largest request body the server reads (the cost assumption is a few dozen bytes).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A request body that fails once its deadline passes, and says so in `expired`.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
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

/// Middleware: a request body must arrive within `timeout`. A client that announces
/// a body and never sends it gets 408 and its connection is closed, so it cannot
/// hold a connection open forever.
pub async fn body_deadline(
    timeout: Duration,
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !announces_body(&request) {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let expired = Rc::new(Cell::new(false));
    let inner = request.take_payload();
    let deadline: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Deadline {
        inner,
        sleep: Box::pin(tokio::time::sleep(timeout)),
        expired: Rc::clone(&expired),
    });
    request.set_payload(Payload::Stream { payload: deadline });
    let response = next.call(request).await?;
    if !expired.get() {
        return Ok(response.map_into_left_body());
    }
    let (request, _) = response.into_parts();
    let timed_out = HttpResponse::RequestTimeout().force_close().finish();
    Ok(ServiceResponse::new(request, timed_out).map_into_right_body())
}
