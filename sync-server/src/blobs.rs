//! Attachment blobs: content-addressed by SHA-256, per tenant, files under
//! `<data-dir>/blobs/<tenant>/<sha256>`. An upload is checked against its name before it is
//! kept, and written to a temporary file first so a crash never leaves half a blob under the
//! final name. A tenant only sees blobs it uploaded itself, even when another tenant has the
//! same bytes.

use crm_model::{Operation, RecordKind};
use sha2::{Digest as _, Sha256};

use crate::auth::{Principal, random_uuid};
use crate::error::ApiError;
use crate::server::AppState;
use crate::storage::StorageError;

/// `sha256` as the path names it: 64 lowercase hex digits.
fn check_name(sha256: &str) -> Result<(), ApiError> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    {
        Ok(())
    } else {
        Err(ApiError::BadRequest(
            "a blob is named by the SHA-256 of its bytes, 64 lowercase hex digits".to_owned(),
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) async fn put(
    state: &AppState,
    principal: &Principal,
    sha256: &str,
    bytes: &[u8],
) -> Result<(), ApiError> {
    check_name(sha256)?;
    // Uploading a file is creating an attachment, as far as the roles go.
    if !principal.role.allows(
        principal.user,
        Operation::Create,
        RecordKind::Attachment,
        None,
    ) {
        return Err(ApiError::Forbidden(format!(
            "the {} role may not upload attachments",
            principal.role.label()
        )));
    }
    let actual = hex(&Sha256::digest(bytes));
    if actual != sha256 {
        return Err(ApiError::BadRequest(format!(
            "the body's SHA-256 is {actual}, not the {sha256} the path names"
        )));
    }
    let directory = state.blob_dir().join(principal.tenant.to_string());
    let path = directory.join(sha256);
    let temporary = directory.join(format!(
        ".upload-{}",
        random_uuid().map_err(|error| ApiError::Random(error.to_string()))?
    ));
    let io = |error: std::io::Error| {
        ApiError::Storage(StorageError::Invalid(format!("blob file: {error}")))
    };
    tokio::fs::create_dir_all(&directory).await.map_err(io)?;
    tokio::fs::write(&temporary, bytes).await.map_err(io)?;
    tokio::fs::rename(&temporary, &path).await.map_err(io)?;
    state
        .storage()
        .put_blob(principal.tenant, sha256.to_owned(), bytes.len() as u64)
        .await?;
    Ok(())
}

pub(crate) async fn get(
    state: &AppState,
    principal: &Principal,
    sha256: &str,
) -> Result<Vec<u8>, ApiError> {
    check_name(sha256)?;
    if !state
        .storage()
        .has_blob(principal.tenant, sha256.to_owned())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    let path = state
        .blob_dir()
        .join(principal.tenant.to_string())
        .join(sha256);
    match tokio::fs::read(&path).await {
        Ok(bytes) => Ok(bytes),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            tracing::error!(path = %path.display(), "a blob the database lists has no file");
            Err(ApiError::NotFound)
        }
        Err(error) => Err(ApiError::Storage(StorageError::Invalid(format!(
            "blob file: {error}"
        )))),
    }
}
