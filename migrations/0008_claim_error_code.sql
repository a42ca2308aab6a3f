-- A failed creation is shared with the requests that waited on it by its error code (the API's
-- error contract), from which its status follows; the status alone could not tell a provider's
-- outage from a missing setting (both 503). Claims live for seconds, so nothing is lost.
ALTER TABLE meeting_claims ADD COLUMN error_code TEXT;
ALTER TABLE meeting_claims DROP COLUMN error_status;
