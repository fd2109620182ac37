-- Messages "sent" by email or SMS. One message per (reference, recipient, channel): a sender
-- retrying the same notification gets the first message's id back.
CREATE TABLE messages (
  message_id text        PRIMARY KEY,
  channel    text        NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient  text        NOT NULL,
  subject    text,
  body       text        NOT NULL,
  reference  text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (reference, recipient, channel)
);
CREATE INDEX messages_recipient_idx ON messages (recipient, created_at DESC);
CREATE INDEX messages_created_idx ON messages (created_at DESC);
