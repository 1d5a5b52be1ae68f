//! Attachments' bytes: stored once per content (by SHA-256) under the profile's data directory,
//! `blobs/ab/abcdef…`, beside the attachment records that sync with their metadata.

use std::path::PathBuf;

use crm_model::{Actor, Attachment, AttachmentId, Entity, FieldMap, MAX_ATTACHMENT_BYTES};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::CoreError;
use crate::store::{Store, now};

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl Store {
    /// Where the bytes of content `sha256` are (or would be) kept.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        let prefix: String = sha256.chars().take(2).collect();
        self.data_dir.join("blobs").join(prefix).join(sha256)
    }

    /// Whether this device has the bytes of `sha256` (else they download on first open).
    pub fn has_blob(&self, sha256: &str) -> bool {
        self.blob_path(sha256).is_file()
    }

    /// Stores `bytes` by content and creates their attachment record; `links` names what it is
    /// attached to (`customerId`, `dealId` or `communicationId`).
    pub fn attach_file(
        &mut self,
        actor: &Actor,
        file_name: &str,
        mime_type: &str,
        bytes: &[u8],
        links: &FieldMap,
    ) -> Result<Attachment, CoreError> {
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let sha256 = hex(&Sha256::digest(bytes));
        let mut fields = links.clone();
        fields.insert("fileName".into(), file_name.into());
        fields.insert("mimeType".into(), mime_type.into());
        fields.insert("fileSize".into(), size.into());
        fields.insert("sha256".into(), sha256.clone().into());
        // Validate before writing anything, so a refused attachment leaves no file behind.
        let draft: Attachment =
            crm_model::create_from_fields(AttachmentId(Uuid::now_v7()), now(), actor, &fields)?;
        if size > MAX_ATTACHMENT_BYTES {
            return Err(CoreError::NotAllowed(format!(
                "files larger than {} MB cannot be attached",
                MAX_ATTACHMENT_BYTES >> 20
            )));
        }
        self.write_blob(&sha256, bytes)?;
        crate::permissions::check(
            actor,
            crm_model::Operation::Create,
            Attachment::KIND,
            draft.owner(),
        )?;
        self.check_references(&draft)?;
        self.insert(actor, &draft)
    }

    /// Keeps `bytes` as the content `sha256` (unless this device has it already). Written to a
    /// temporary name, then renamed: a crash never leaves half a blob under its hash.
    pub(crate) fn write_blob(&self, sha256: &str, bytes: &[u8]) -> Result<(), CoreError> {
        let path = self.blob_path(sha256);
        if path.is_file() {
            return Ok(());
        }
        let parent = path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&parent).map_err(|source| CoreError::DataDir {
            path: parent.display().to_string(),
            source,
        })?;
        let temporary = path.with_extension("partial");
        std::fs::write(&temporary, bytes)
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(|source| CoreError::DataDir {
                path: path.display().to_string(),
                source,
            })
    }

    /// Contents of attachments whose records wait in the outbox: they go to the server before
    /// the records do, so a device that sees an attachment can always download its file.
    pub(crate) fn blobs_to_upload(&self) -> Result<Vec<String>, CoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT DISTINCT a.sha256 FROM attachments a
             WHERE a.id IN (SELECT record_id FROM outbox)",
        )?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Contents of attachments (not in the trash) this device does not have yet.
    pub fn missing_blobs(&self) -> Result<Vec<String>, CoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT DISTINCT sha256 FROM attachments WHERE deleted_at IS NULL")?;
        let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
        let all: Vec<String> = rows.collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|sha256| !self.has_blob(sha256))
            .collect())
    }

    /// The bytes of an attachment, when this device has them.
    pub fn read_blob(&self, sha256: &str) -> Result<Option<Vec<u8>>, CoreError> {
        let path = self.blob_path(sha256);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(CoreError::DataDir {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}
