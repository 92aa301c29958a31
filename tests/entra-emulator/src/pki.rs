//! [`TestCa`]: a throw-away certificate authority for the test servers.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};

/// A host name the emulator's certificate also covers; it resolves nowhere unless a test's
/// `/etc/hosts` maps it (the static-binary chroot test does).
pub const TEST_HOST_NAME: &str = "login.emulator.test";

/// A CA made at run time.
pub struct TestCa {
    cert_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and key, PEM.
pub struct ServerCert {
    /// The certificate chain (leaf then CA).
    pub cert_pem: String,
    /// The private key (PKCS#8).
    pub key_pem: String,
}

impl TestCa {
    /// Generates the CA.
    pub fn new() -> anyhow::Result<TestCa> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "kubectl-aad test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key)?;
        Ok(TestCa {
            cert_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// A certificate for 127.0.0.1, ::1, localhost and [`TEST_HOST_NAME`] (a name a test maps to
    /// loopback in its own `/etc/hosts`, to prove host names are looked up).
    pub fn server_cert(&self) -> anyhow::Result<ServerCert> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), TEST_HOST_NAME.to_owned()])?;
        params
            .subject_alt_names
            .push(SanType::IpAddress("127.0.0.1".parse()?));
        params
            .subject_alt_names
            .push(SanType::IpAddress("::1".parse()?));
        params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ServerCert {
            cert_pem: format!("{}{}", cert.pem(), self.cert_pem),
            key_pem: key.serialize_pem(),
        })
    }
}
