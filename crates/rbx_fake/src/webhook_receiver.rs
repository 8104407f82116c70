//! Our application's webhook receiver (`POST /webhooks/maintainx`), as RB-003 checks it: a
//! delivery is accepted only when `X-MaintainX-Signature` is the HMAC-SHA256 of the exact body
//! with the webhook secret, in hex.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::reply::ApiError;

/// The header carrying a delivery's signature (the name RB-003 assumes).
pub(crate) const SIGNATURE_HEADER: &str = "x-maintainx-signature";

/// How the receiver treats signatures; a test turns checking off to play a receiver that
/// accepts forged deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookReceiver {
    /// Whether a delivery must carry a valid signature.
    pub verify_signatures: bool,
}

impl Default for WebhookReceiver {
    fn default() -> Self {
        Self { verify_signatures: true }
    }
}

impl WebhookReceiver {
    /// Accepts or refuses one delivery: `Err` is the 401 to answer.
    pub(crate) fn check(self, secret: &str, signature: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
        if !self.verify_signatures {
            return Ok(());
        }
        let refused = |message: &str| ApiError::new(401, message);
        let signature = signature.ok_or_else(|| refused("missing `X-MaintainX-Signature`"))?;
        let digest = hex::decode(signature.trim()).map_err(|_| refused("`X-MaintainX-Signature` is not hex"))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|_| ApiError::new(500, "the webhook secret cannot be used as an HMAC key"))?;
        mac.update(body);
        // `verify_slice` compares in constant time, as a real receiver must.
        mac.verify_slice(&digest).map_err(|_| refused("invalid webhook signature"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec-test";
    const BODY: &[u8] = br#"{"event":"workorder.updated","data":{"id":7}}"#;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_delivery_signed_with_the_secret_is_accepted() {
        let receiver = WebhookReceiver::default();
        assert_eq!(receiver.check(SECRET, Some(&sign(SECRET, BODY)), BODY), Ok(()));
        assert_eq!(receiver.check(SECRET, Some(&sign(SECRET, BODY).to_uppercase()), BODY), Ok(()), "hex in any case");
    }

    #[test]
    fn rfc_4231_test_case_2_is_accepted() {
        // The digest the `hmac_sha256` template helper is tested with: both sides agree.
        let signature = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(WebhookReceiver::default().check("Jefe", Some(signature), b"what do ya want for nothing?"), Ok(()));
    }

    #[test]
    fn wrong_missing_or_malformed_signatures_are_refused() {
        let receiver = WebhookReceiver::default();
        let refused = |signature: Option<&str>, body: &[u8]| {
            receiver.check(SECRET, signature, body).map_err(|e| (e.status, e.message))
        };
        let other_secret = sign("not-the-secret", BODY);
        assert_eq!(refused(Some(&other_secret), BODY), Err((401, "invalid webhook signature".to_owned())));
        let other_body = sign(SECRET, b"{}");
        assert_eq!(refused(Some(&other_body), BODY), Err((401, "invalid webhook signature".to_owned())));
        assert_eq!(refused(None, BODY), Err((401, "missing `X-MaintainX-Signature`".to_owned())));
        assert_eq!(refused(Some("sha256=zz"), BODY), Err((401, "`X-MaintainX-Signature` is not hex".to_owned())));
        let truncated = &sign(SECRET, BODY)[..32];
        assert_eq!(refused(Some(truncated), BODY), Err((401, "invalid webhook signature".to_owned())));
    }

    #[test]
    fn a_receiver_that_does_not_verify_accepts_anything() {
        let receiver = WebhookReceiver { verify_signatures: false };
        assert_eq!(receiver.check(SECRET, Some("00"), BODY), Ok(()));
        assert_eq!(receiver.check(SECRET, None, BODY), Ok(()));
    }
}
