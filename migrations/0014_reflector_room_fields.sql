-- Reflector's room fields (SPEC §10), so that its frontend reads and writes rooms unchanged. Every
-- earlier room gets Reflector's own defaults: no Zulip post, no room webhook, no calendar.
ALTER TABLE rooms ADD COLUMN zulip_auto_post INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN zulip_stream TEXT NOT NULL DEFAULT '';
ALTER TABLE rooms ADD COLUMN zulip_topic TEXT NOT NULL DEFAULT '';
-- Where the room's events are sent (SPEC §11), and the secret that signs them.
ALTER TABLE rooms ADD COLUMN webhook_url TEXT;
ALTER TABLE rooms ADD COLUMN webhook_secret TEXT;
-- Calendar sync is not part of this service; the fields are kept as Reflector's clients send them.
ALTER TABLE rooms ADD COLUMN ics_url TEXT;
ALTER TABLE rooms ADD COLUMN ics_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rooms ADD COLUMN ics_fetch_interval INTEGER NOT NULL DEFAULT 300;
ALTER TABLE rooms ADD COLUMN ics_last_sync TEXT;
ALTER TABLE rooms ADD COLUMN ics_last_etag TEXT;
-- Newer Reflector frontends send these too (its rooms page, beyond the OpenAPI copy in test/fixtures):
-- kept as sent, though this service acts on neither.
ALTER TABLE rooms ADD COLUMN email_transcript_to TEXT;
ALTER TABLE rooms ADD COLUMN store_video INTEGER NOT NULL DEFAULT 0;
