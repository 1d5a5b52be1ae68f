//! Attachment blobs: content-addressed by SHA-256, per tenant, kept by the configured
//! [`BlobStore`](crate::blob_store::BlobStore) (files under the data dir, or an S3 bucket). An
//! upload is checked against its name before it is kept. A tenant only sees blobs it uploaded
//! itself, even when another tenant has the same bytes: the database lists each tenant's blobs,
//! and the store keeps them under the tenant's id.

use axum::body::Bytes;
use crm_model::{Operation, RecordKind};
use sha2::{Digest as _, Sha256};

use crate::auth::Principal;
use crate::blob_store::BlobName;
use crate::error::ApiError;
use crate::server::AppState;

/// `sha256` as the path names it: 64 lowercase hex digits.
fn parse_name(sha256: &str) -> Result<BlobName, ApiError> {
    BlobName::parse(sha256).ok_or_else(|| {
        ApiError::BadRequest(
            "a blob is named by the SHA-256 of its bytes, 64 lowercase hex digits".to_owned(),
        )
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) async fn put(
    state: &AppState,
    principal: &Principal,
    sha256: &str,
    bytes: Bytes,
) -> Result<(), ApiError> {
    let name = parse_name(sha256)?;
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
    let actual = hex(&Sha256::digest(&bytes));
    if actual != name.as_str() {
        return Err(ApiError::BadRequest(format!(
            "the body's SHA-256 is {actual}, not the {sha256} the path names"
        )));
    }
    let size = bytes.len() as u64;
    state
        .blob_store()
        .put(principal.tenant, &name, bytes)
        .await?;
    // Listed only once the bytes are kept: a listed blob can always be downloaded.
    state
        .storage()
        .put_blob(principal.tenant, sha256.to_owned(), size)
        .await?;
    Ok(())
}

pub(crate) async fn get(
    state: &AppState,
    principal: &Principal,
    sha256: &str,
) -> Result<Bytes, ApiError> {
    let name = parse_name(sha256)?;
    if !state
        .storage()
        .has_blob(principal.tenant, sha256.to_owned())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    match state.blob_store().get(principal.tenant, &name).await? {
        Some(bytes) => Ok(bytes),
        None => {
            tracing::error!(
                tenant = %principal.tenant,
                sha256,
                store = %state.blob_store().describe(),
                "a blob the database lists is missing from the blob store"
            );
            Err(ApiError::NotFound)
        }
    }
}
