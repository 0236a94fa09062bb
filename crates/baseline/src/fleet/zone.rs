//! Authoritative zones in memory, signed with DNSSEC (ECDSA P-256, NSEC) or deliberately broken, and the answers an
//! authoritative server gives from them: records with their signatures, NODATA and NXDOMAIN with NSEC proofs, and DS
//! records from the parent zone.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::dnssec::crypto::EcdsaSigningKey;
use hickory_proto::dnssec::rdata::sig::SigInput;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS, NSEC, RRSIG};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKey, SigningKey, TBS};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};

/// A zone's signing key (one key, KSK and ZSK at once).
pub(crate) struct ZoneKey {
    key: EcdsaSigningKey,
    pub dnskey: DNSKEY,
    tag: u16,
}

impl ZoneKey {
    pub(crate) fn generate() -> Result<ZoneKey, String> {
        let pkcs8 = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256).map_err(|e| e.to_string())?;
        let key = EcdsaSigningKey::from_pkcs8(&pkcs8, Algorithm::ECDSAP256SHA256).map_err(|e| e.to_string())?;
        let public = key.to_public_key().map_err(|e| e.to_string())?;
        let dnskey = DNSKEY::from_key(&public);
        let tag = dnskey.calculate_key_tag().map_err(|e| e.to_string())?;
        Ok(ZoneKey { key, dnskey, tag })
    }

    /// The DS record of this key for `apex`.
    pub(crate) fn ds(&self, apex: &Name) -> Result<DS, String> {
        DS::from_key(self.dnskey.public_key(), apex, DigestType::SHA256).map_err(|e| e.to_string())
    }

    /// Algorithm number and public key bytes, for a trust anchor.
    pub(crate) fn public(&self) -> (u8, Vec<u8>) {
        let pk = self.dnskey.public_key();
        (u8::from(pk.algorithm()), pk.public_bytes().to_vec())
    }
}

/// How signatures are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SignMode {
    /// Valid from an hour ago for 30 days.
    Good,
    /// Expired yesterday.
    Expired,
    /// Valid dates, but the signature bytes are corrupted.
    Corrupt,
}

pub(crate) const TTL: u32 = 300;

pub(crate) struct Zone {
    pub apex: Name,
    signed: bool,
    /// name -> type -> records
    data: BTreeMap<Name, BTreeMap<RecordType, Vec<Record>>>,
    sigs: BTreeMap<(Name, RecordType), Vec<Record>>,
    /// Names where a child zone starts (NS records here are not authoritative).
    cuts: BTreeSet<Name>,
}

impl Zone {
    /// Builds a zone from its records (SOA and NS at the apex are added), the delegations to child zones (their NS
    /// and, when signed, DS records), and a key and mode to sign with (None: unsigned).
    pub(crate) fn build(
        apex: Name,
        records: Vec<Record>,
        delegations: Vec<Record>,
        key: Option<(&ZoneKey, SignMode)>,
    ) -> Result<Zone, String> {
        let mut zone = Zone {
            apex: apex.clone(),
            signed: key.is_some(),
            data: BTreeMap::new(),
            sigs: BTreeMap::new(),
            cuts: BTreeSet::new(),
        };
        let soa = SOA::new(
            Name::from_ascii("ns1.test.").map_err(|e| e.to_string())?,
            Name::from_ascii("hostmaster.test.").map_err(|e| e.to_string())?,
            1,
            3600,
            600,
            86400,
            TTL,
        );
        zone.insert(Record::from_rdata(apex.clone(), TTL, RData::SOA(soa)));
        for r in records {
            zone.insert(r);
        }
        for r in delegations {
            if r.record_type() == RecordType::NS {
                zone.cuts.insert(r.name.clone());
            }
            zone.insert(r);
        }
        if let Some((key, mode)) = key {
            zone.insert(Record::from_rdata(
                apex.clone(),
                TTL,
                RData::DNSSEC(DNSSECRData::DNSKEY(key.dnskey.clone())),
            ));
            zone.add_nsec_chain();
            zone.sign(key, mode)?;
        }
        Ok(zone)
    }

    fn insert(&mut self, r: Record) {
        self.data
            .entry(r.name.clone())
            .or_default()
            .entry(r.record_type())
            .or_default()
            .push(r);
    }

    fn add_nsec_chain(&mut self) {
        let names: Vec<Name> = self.data.keys().cloned().collect();
        for (i, name) in names.iter().enumerate() {
            let next = names.get(i + 1).unwrap_or(&self.apex).clone();
            let mut types: Vec<RecordType> = self.data[name].keys().copied().collect();
            types.push(RecordType::RRSIG);
            types.push(RecordType::NSEC);
            let nsec = NSEC::new(next, types);
            self.insert(Record::from_rdata(name.clone(), TTL, RData::DNSSEC(DNSSECRData::NSEC(nsec))));
        }
    }

    fn sign(&mut self, key: &ZoneKey, mode: SignMode) -> Result<(), String> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        let (inception, expiration) = match mode {
            SignMode::Expired => (now - 30 * 86400, now - 86400),
            _ => (now - 3600, now + 30 * 86400),
        };
        let mut sigs = BTreeMap::new();
        for (name, types) in &self.data {
            for (rtype, records) in types {
                // NS records at a cut belong to the child zone and are not signed here.
                if *rtype == RecordType::NS && self.cuts.contains(name) {
                    continue;
                }
                let input = SigInput {
                    type_covered: *rtype,
                    algorithm: Algorithm::ECDSAP256SHA256,
                    num_labels: name.num_labels(),
                    original_ttl: TTL,
                    sig_expiration: SerialNumber::new(expiration),
                    sig_inception: SerialNumber::new(inception),
                    key_tag: key.tag,
                    signer_name: self.apex.clone(),
                };
                let tbs = TBS::from_input(name, DNSClass::IN, &input, records.iter()).map_err(|e| e.to_string())?;
                let mut sig = key.key.sign(&tbs).map_err(|e| e.to_string())?;
                if mode == SignMode::Corrupt
                    && let Some(b) = sig.last_mut()
                {
                    *b ^= 0x5a;
                }
                let rrsig = RRSIG::from_sig(input, sig);
                sigs.insert(
                    (name.clone(), *rtype),
                    vec![Record::from_rdata(name.clone(), TTL, RData::DNSSEC(DNSSECRData::RRSIG(rrsig)))],
                );
            }
        }
        self.sigs = sigs;
        Ok(())
    }

    fn with_sigs(&self, name: &Name, rtype: RecordType, dnssec: bool, out: &mut Vec<Record>) {
        if let Some(records) = self.data.get(name).and_then(|t| t.get(&rtype)) {
            out.extend(records.iter().cloned());
            if dnssec && self.signed {
                out.extend(self.sigs.get(&(name.clone(), rtype)).into_iter().flatten().cloned());
            }
        }
    }

    /// The owner name whose NSEC covers `name` (the greatest name before it).
    fn covering(&self, name: &Name) -> Name {
        self.data
            .range(..name.clone())
            .next_back()
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| self.apex.clone())
    }

    fn negative(&self, names: &[Name], dnssec: bool, authority: &mut Vec<Record>) {
        self.with_sigs(&self.apex, RecordType::SOA, dnssec, authority);
        if dnssec && self.signed {
            let mut done = BTreeSet::new();
            for n in names {
                if done.insert(n.clone()) {
                    self.with_sigs(n, RecordType::NSEC, true, authority);
                }
            }
        }
    }

    /// Answers a query for which this zone is the closest: (code, answers, authorities).
    pub(crate) fn answer(&self, qname: &Name, qtype: RecordType, dnssec: bool) -> (ResponseCode, Vec<Record>, Vec<Record>) {
        let (mut answers, mut authority) = (Vec::new(), Vec::new());
        if let Some(types) = self.data.get(qname) {
            if self.cuts.contains(qname) && qtype != RecordType::DS {
                // A referral (the server hosts the child too, so this is rare).
                self.with_sigs(qname, RecordType::NS, false, &mut authority);
                return (ResponseCode::NoError, answers, authority);
            }
            if types.contains_key(&qtype) {
                self.with_sigs(qname, qtype, dnssec, &mut answers);
            } else {
                self.negative(std::slice::from_ref(qname), dnssec, &mut authority);
            }
            return (ResponseCode::NoError, answers, authority);
        }
        let covering = self.covering(qname);
        if self.data.keys().any(|n| n != qname && qname.zone_of(n)) {
            // An empty non-terminal: NODATA, proven by the NSEC that covers it.
            self.negative(&[covering], dnssec, &mut authority);
            return (ResponseCode::NoError, answers, authority);
        }
        // NXDOMAIN: the NSEC covering the name and the one covering the wildcard at its closest encloser.
        let mut encloser = qname.base_name();
        while !(encloser == self.apex
            || encloser.is_root()
            || self.data.contains_key(&encloser)
            || self.data.keys().any(|n| encloser.zone_of(n)))
        {
            encloser = encloser.base_name();
        }
        let wildcard = encloser.prepend_label("*").unwrap_or_else(|_| encloser.clone());
        let wildcard_cover = self.covering(&wildcard);
        self.negative(&[covering, wildcard_cover], dnssec, &mut authority);
        (ResponseCode::NXDomain, answers, authority)
    }
}

/// Every zone the server hosts, by apex.
#[derive(Default)]
pub(crate) struct Zones {
    zones: BTreeMap<Name, Zone>,
}

impl Zones {
    pub(crate) fn add(&mut self, zone: Zone) {
        self.zones.insert(zone.apex.clone(), zone);
    }

    /// The zone that answers: the closest enclosing zone, except that DS records come from the parent of a zone cut.
    pub(crate) fn find(&self, qname: &Name, qtype: RecordType) -> Option<&Zone> {
        let mut n = qname.clone();
        loop {
            if let Some(z) = self.zones.get(&n)
                && !(qtype == RecordType::DS && n == *qname && !n.is_root())
            {
                return Some(z);
            }
            if n.is_root() {
                return None;
            }
            n = n.base_name();
        }
    }

    pub(crate) fn answer(&self, qname: &Name, qtype: RecordType, dnssec: bool) -> (ResponseCode, Vec<Record>, Vec<Record>) {
        match self.find(qname, qtype) {
            Some(z) => z.answer(qname, qtype, dnssec),
            None => (ResponseCode::Refused, Vec::new(), Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, NS};

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    #[test]
    fn answers_proofs_and_ds_from_the_parent() {
        let parent_key = ZoneKey::generate().unwrap();
        let child_key = ZoneKey::generate().unwrap();
        let child = name("good.test.");
        let delegation = vec![
            Record::from_rdata(child.clone(), TTL, RData::NS(NS(name("ns1.test.")))),
            Record::from_rdata(child.clone(), TTL, RData::DNSSEC(DNSSECRData::DS(child_key.ds(&child).unwrap()))),
            Record::from_rdata(name("plain.test."), TTL, RData::NS(NS(name("ns1.test.")))),
        ];
        let mut zones = Zones::default();
        zones.add(Zone::build(name("test."), vec![], delegation, Some((&parent_key, SignMode::Good))).unwrap());
        let records = vec![Record::from_rdata(name("www.good.test."), TTL, RData::A(A::new(127, 20, 0, 20)))];
        zones.add(Zone::build(child.clone(), records, vec![], Some((&child_key, SignMode::Good))).unwrap());

        let (code, answers, _) = zones.answer(&name("www.good.test."), RecordType::A, true);
        assert_eq!(code, ResponseCode::NoError);
        assert_eq!(
            answers.iter().map(|r| r.record_type()).collect::<Vec<_>>(),
            vec![RecordType::A, RecordType::RRSIG]
        );
        // Without DO, no signatures.
        assert_eq!(zones.answer(&name("www.good.test."), RecordType::A, false).1.len(), 1);
        // DS comes from the parent, signed by the parent.
        let (_, ds, _) = zones.answer(&child, RecordType::DS, true);
        assert_eq!(ds[0].record_type(), RecordType::DS);
        // No DS for an unsigned child: NODATA with the parent's NSEC at the cut (NS, no DS).
        let (code, answers, authority) = zones.answer(&name("plain.test."), RecordType::DS, true);
        assert_eq!((code, answers.len()), (ResponseCode::NoError, 0));
        let nsec = authority.iter().find_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC(n)) => Some((r.name.clone(), n.type_bit_maps().collect::<Vec<_>>())),
            _ => None,
        });
        let (owner, types) = nsec.expect("an NSEC proof");
        assert_eq!(owner, name("plain.test."));
        assert!(types.contains(&RecordType::NS) && !types.contains(&RecordType::DS));
        // NXDOMAIN with proofs.
        let (code, _, authority) = zones.answer(&name("nothing.good.test."), RecordType::A, true);
        assert_eq!(code, ResponseCode::NXDomain);
        assert!(authority.iter().any(|r| r.record_type() == RecordType::NSEC));
        assert!(authority.iter().any(|r| r.record_type() == RecordType::SOA));
        // An empty non-terminal is NODATA.
        let (code, _, _) = zones.answer(&name("good.test."), RecordType::TXT, true);
        assert_eq!(code, ResponseCode::NoError);
        assert_eq!(zones.answer(&name("example.com."), RecordType::A, true).0, ResponseCode::Refused);
    }
}
