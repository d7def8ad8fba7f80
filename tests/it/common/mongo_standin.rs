//! A MongoDB wire-protocol stand-in for the faults a real server will not play: a
//! small TCP server that speaks OP_MSG over one in-memory collection, and loses
//! every cursor after its first batch, as a server that restarts mid-read does. The
//! happy path runs against a wire-protocol server written by others (nx-27017,
//! `tests/it/mongodb_server.rs`). The stand-in answers `hello` / `isMaster`, `ping`,
//! `buildInfo`, `find` (equality and `$in` filters, a projection of included
//! fields), `getMore` (always "cursor not found"), `killCursors` and `endSessions`,
//! and hands out results in small batches so that cursors need `getMore`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use mongodb::bson::{doc, Bson, Document};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const OP_MSG: i32 = 2013;

/// Documents per `find` or `getMore` reply: small, so every real read needs cursors.
pub const BATCH: usize = 50;

#[derive(Default)]
struct State {
    documents: Vec<Document>,
    cursors: HashMap<i64, Vec<Document>>,
    /// How many commands of each name arrived, for the tests to check.
    commands: HashMap<String, usize>,
}

/// A running stand-in; stops when dropped.
pub struct MongoStandIn {
    pub url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MongoStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MongoStandIn {
    /// Starts serving `documents` (the collection's whole content) on a free port.
    pub async fn start(documents: Vec<Document>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let state = Arc::new(Mutex::new(State {
            documents,
            ..State::default()
        }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            let next_cursor = Arc::new(AtomicI64::new(1));
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                let next_cursor = Arc::clone(&next_cursor);
                tokio::spawn(async move {
                    let _ = serve(stream, state, next_cursor).await;
                });
            }
        });
        Self {
            url: format!("mongodb://127.0.0.1:{port}/?directConnection=true"),
            state,
            task,
        }
    }

    /// How many times a command arrived.
    pub fn count(&self, command: &str) -> usize {
        let state = self.state.lock().expect("state");
        state.commands.get(command).copied().unwrap_or(0)
    }
}

static REQUEST_IDS: AtomicI32 = AtomicI32::new(1);

async fn serve(
    mut stream: TcpStream,
    state: Arc<Mutex<State>>,
    next_cursor: Arc<AtomicI64>,
) -> std::io::Result<()> {
    loop {
        let mut header = [0u8; 16];
        stream.read_exact(&mut header).await?;
        let length = i32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        let request_id = i32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let op_code = i32::from_le_bytes([header[12], header[13], header[14], header[15]]);
        let mut body = vec![0u8; (length as usize).saturating_sub(16)];
        stream.read_exact(&mut body).await?;
        if op_code != OP_MSG {
            return Err(std::io::Error::other(format!(
                "the stand-in only speaks OP_MSG, not op code {op_code}"
            )));
        }
        let command = parse_op_msg(&body)?;
        let reply = answer(&command, &state, &next_cursor);
        write_op_msg(&mut stream, request_id, &reply).await?;
    }
}

/// The command of an OP_MSG: its body section, with any document sequences added
/// as arrays under their identifiers.
fn parse_op_msg(body: &[u8]) -> std::io::Result<Document> {
    let flags = u32::from_le_bytes([body[0], body[1], body[2], body[3]]);
    let end = if flags & 1 == 1 {
        body.len() - 4
    } else {
        body.len()
    };
    let mut position = 4;
    let mut command = Document::new();
    while position < end {
        let kind = body[position];
        position += 1;
        let size = i32::from_le_bytes([
            body[position],
            body[position + 1],
            body[position + 2],
            body[position + 3],
        ]) as usize;
        let section = &body[position..position + size];
        if kind == 0 {
            command = Document::from_reader(&mut &section[..]).map_err(std::io::Error::other)?;
        } else {
            let mut offset = 4;
            let name_end = section[offset..]
                .iter()
                .position(|b| *b == 0)
                .map(|p| offset + p)
                .unwrap_or(section.len());
            let name = String::from_utf8_lossy(&section[offset..name_end]).into_owned();
            offset = name_end + 1;
            let mut documents = Vec::new();
            while offset < section.len() {
                let document = Document::from_reader(&mut &section[offset..])
                    .map_err(std::io::Error::other)?;
                let document_size = i32::from_le_bytes([
                    section[offset],
                    section[offset + 1],
                    section[offset + 2],
                    section[offset + 3],
                ]) as usize;
                offset += document_size;
                documents.push(Bson::Document(document));
            }
            command.insert(name, documents);
        }
        position += size;
    }
    Ok(command)
}

async fn write_op_msg(
    stream: &mut TcpStream,
    response_to: i32,
    reply: &Document,
) -> std::io::Result<()> {
    let mut document = Vec::new();
    reply
        .to_writer(&mut document)
        .map_err(std::io::Error::other)?;
    let length = 16 + 4 + 1 + document.len();
    let mut message = Vec::with_capacity(length);
    message.extend_from_slice(&(length as i32).to_le_bytes());
    message.extend_from_slice(&REQUEST_IDS.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    message.extend_from_slice(&response_to.to_le_bytes());
    message.extend_from_slice(&OP_MSG.to_le_bytes());
    message.extend_from_slice(&0u32.to_le_bytes());
    message.push(0);
    message.extend_from_slice(&document);
    stream.write_all(&message).await
}

fn answer(command: &Document, state: &Mutex<State>, next_cursor: &AtomicI64) -> Document {
    let Some(name) = command.keys().next().cloned() else {
        return doc! { "ok": 0, "errmsg": "empty command", "code": 59 };
    };
    let mut state = state.lock().expect("state");
    *state.commands.entry(name.clone()).or_default() += 1;
    let namespace = format!(
        "{}.{}",
        command.get_str("$db").unwrap_or("test"),
        command.get_str(&name).unwrap_or("collection")
    );
    match name.as_str() {
        "hello" | "isMaster" | "ismaster" => doc! {
            "helloOk": true,
            "ismaster": true,
            "isWritablePrimary": true,
            "maxBsonObjectSize": 16_777_216,
            "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000,
            "localTime": mongodb::bson::DateTime::now(),
            "logicalSessionTimeoutMinutes": 30,
            "connectionId": 1,
            "minWireVersion": 0,
            "maxWireVersion": 21,
            "readOnly": false,
            "ok": 1.0,
        },
        "ping" | "endSessions" => doc! { "ok": 1.0 },
        "buildInfo" | "buildinfo" => doc! { "version": "7.0.0-standin", "ok": 1.0 },
        "find" => {
            let filter = command.get_document("filter").cloned().unwrap_or_default();
            let projection = command.get_document("projection").ok().cloned();
            let mut found: Vec<Document> = state
                .documents
                .iter()
                .filter(|document| matches(document, &filter))
                .map(|document| project(document, projection.as_ref()))
                .collect();
            let rest = found.split_off(found.len().min(BATCH));
            let id = if rest.is_empty() {
                0
            } else {
                let id = next_cursor.fetch_add(1, Ordering::Relaxed);
                state.cursors.insert(id, rest);
                id
            };
            doc! { "cursor": { "firstBatch": found, "id": id, "ns": namespace }, "ok": 1.0 }
        }
        "getMore" => {
            // The fault: every cursor is gone after its first batch, as after a
            // restart of the server in the middle of a read.
            let id = command.get_i64("getMore").unwrap_or(0);
            state.cursors.remove(&id);
            doc! { "ok": 0.0, "errmsg": "cursor not found", "code": 43 }
        }
        "killCursors" => {
            let ids: Vec<Bson> = command.get_array("cursors").cloned().unwrap_or_default();
            for id in &ids {
                if let Bson::Int64(id) = id {
                    state.cursors.remove(id);
                }
            }
            doc! { "cursorsKilled": ids, "cursorsNotFound": [], "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0 }
        }
        other => doc! {
            "ok": 0.0,
            "errmsg": format!("the stand-in does not know the command {other}"),
            "code": 59,
        },
    }
}

/// Equality on each field, or `{"$in": [...]}`.
fn matches(document: &Document, filter: &Document) -> bool {
    filter.iter().all(|(field, wanted)| {
        let value = document.get(field);
        match wanted {
            Bson::Document(operator) if operator.contains_key("$in") => operator
                .get_array("$in")
                .map(|choices| value.is_some_and(|v| choices.contains(v)))
                .unwrap_or(false),
            wanted => value == Some(wanted),
        }
    })
}

/// Keeps only the included fields of a projection (and `_id` unless excluded).
fn project(document: &Document, projection: Option<&Document>) -> Document {
    let Some(projection) = projection else {
        return document.clone();
    };
    let included = |field: &str| {
        projection.get(field).is_some_and(|flag| match flag {
            Bson::Int32(n) => *n != 0,
            Bson::Int64(n) => *n != 0,
            Bson::Boolean(b) => *b,
            Bson::Double(n) => *n != 0.0,
            _ => false,
        })
    };
    document
        .iter()
        .filter(|(field, _)| {
            included(field) || (field.as_str() == "_id" && projection.get("_id").is_none())
        })
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect()
}
