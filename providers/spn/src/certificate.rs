//! Loading a client certificate: PEM (certificate chain + RSA key in PKCS#1 or PKCS#8) or
//! PFX/P12 (by extension, any case) with a password. The leaf is the certificate whose public key
//! matches the private key; it goes first in the chain. Expired certificates are refused here,
//! with the date, instead of as an opaque AADSTS error.

use std::path::Path;

use kubectl_aad_contract::Secret;
use kubectl_aad_entra::assertion::ClientCertificate;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::SpnError;

/// Reads the certificate file and checks that it is usable now.
pub(crate) fn load(
    path: &Path,
    password: Option<&Secret>,
    now: i64,
) -> Result<ClientCertificate, SpnError> {
    let bytes = std::fs::read(path).map_err(|err| SpnError::Read {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    let is_pfx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pfx") || e.eq_ignore_ascii_case("p12"));
    parse(path, &bytes, is_pfx, password, now)
}

/// Parses certificate bytes (`path` only names the file in errors).
pub(crate) fn parse(
    path: &Path,
    bytes: &[u8],
    is_pfx: bool,
    password: Option<&Secret>,
    now: i64,
) -> Result<ClientCertificate, SpnError> {
    let (certs, pkcs8) = if is_pfx {
        from_pfx(path, bytes, password)?
    } else {
        from_pem(path, bytes)?
    };
    let leaf_index = matching_certificate(&certs, &pkcs8)
        .ok_or_else(|| SpnError::NoMatchingCertificate(path.to_path_buf()))?;
    check_validity(path, &certs[leaf_index], now)?;
    let mut chain = certs;
    let leaf = chain.remove(leaf_index);
    chain.insert(0, leaf);
    ClientCertificate::new(chain, &pkcs8).map_err(|_| SpnError::NoKey(path.to_path_buf()))
}

fn from_pem(path: &Path, bytes: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<u8>), SpnError> {
    let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .map(|c| c.to_vec())
        .collect();
    if certs.is_empty() {
        return Err(SpnError::NoCertificate(path.to_path_buf()));
    }
    let key =
        PrivateKeyDer::from_pem_slice(bytes).map_err(|_| SpnError::NoKey(path.to_path_buf()))?;
    let pkcs8 = match key {
        PrivateKeyDer::Pkcs8(der) => der.secret_pkcs8_der().to_vec(),
        PrivateKeyDer::Pkcs1(der) => pkcs1_to_pkcs8(der.secret_pkcs1_der()),
        _ => return Err(SpnError::NoKey(path.to_path_buf())),
    };
    Ok((certs, pkcs8))
}

fn from_pfx(
    path: &Path,
    bytes: &[u8],
    password: Option<&Secret>,
) -> Result<(Vec<Vec<u8>>, Vec<u8>), SpnError> {
    let password = password.map(Secret::expose).unwrap_or("");
    let keystore = p12_keystore::KeyStore::from_pkcs12(
        bytes,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|_| SpnError::Pfx(path.to_path_buf()))?;
    let (_, chain) = keystore
        .private_key_chain()
        .ok_or_else(|| SpnError::NoKey(path.to_path_buf()))?;
    let certs: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
    if certs.is_empty() {
        return Err(SpnError::NoCertificate(path.to_path_buf()));
    }
    Ok((certs, chain.key().as_der().to_vec()))
}

/// Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL).
fn pkcs1_to_pkcs8(pkcs1: &[u8]) -> Vec<u8> {
    const RSA_ALGORITHM: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(RSA_ALGORITHM);
    body.push(0x04);
    body.extend(der_length(pkcs1.len()));
    body.extend_from_slice(pkcs1);
    let mut out = vec![0x30];
    out.extend(der_length(body.len()));
    out.extend(body);
    out
}

fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// The index of the certificate whose RSA public key is the key pair's.
fn matching_certificate(certs: &[Vec<u8>], pkcs8: &[u8]) -> Option<usize> {
    let pair = aws_lc_rs_public(pkcs8)?;
    certs.iter().position(|der| {
        X509Certificate::from_der(der)
            .map(|(_, cert)| cert.public_key().subject_public_key.data.as_ref() == pair.as_slice())
            .unwrap_or(false)
    })
}

/// The PKCS#1 RSAPublicKey DER of a PKCS#8 RSA private key.
fn aws_lc_rs_public(pkcs8: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::signature::KeyPair as _;
    let pair = aws_lc_rs::rsa::KeyPair::from_pkcs8(pkcs8).ok()?;
    Some(pair.public_key().as_ref().to_vec())
}

fn check_validity(path: &Path, der: &[u8], now: i64) -> Result<(), SpnError> {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Ok(());
    };
    let validity = cert.validity();
    if validity.not_after.timestamp() < now {
        return Err(SpnError::Expired {
            path: path.to_path_buf(),
            not_after: validity.not_after.to_string(),
        });
    }
    if validity.not_before.timestamp() > now + 300 {
        return Err(SpnError::NotYetValid {
            path: path.to_path_buf(),
            not_before: validity.not_before.to_string(),
        });
    }
    Ok(())
}
