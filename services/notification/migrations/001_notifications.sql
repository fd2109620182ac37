-- The recipients this service can address: a projection of user.registered, so sending never
-- needs a call to the user service.
CREATE TABLE recipients (
  user_id       text        PRIMARY KEY,
  email         text        NOT NULL,
  name          text        NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);

-- One row per event that produced a message: 'failed' while sending fails (written outside the
-- handler's transaction, so it survives the rollback), 'sent' in the same transaction that
-- records the message id as processed.
CREATE TABLE notifications (
  id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id    text        NOT NULL,
  event_id   text        NOT NULL UNIQUE,
  template   text        NOT NULL,
  channel    text        NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient  text        NOT NULL,
  subject    text,
  body       text        NOT NULL,
  status     text        NOT NULL CHECK (status IN ('sent', 'failed')),
  attempts   integer     NOT NULL DEFAULT 1,
  last_error text,
  sent_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC, id);
