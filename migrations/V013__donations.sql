-- Nuisance donations (overlastdonatie). A case is one incident (one shop,
-- whose share it is); each person of the case has a claim. A claim holds no
-- personal data but its link to the person (person_id), which retention
-- removes delete_after_payment_days after the claim was settled, or
-- max_retention_unpaid_days after it was created; the money facts stay for
-- the reports. Money is integer euro cents.

CREATE TABLE donation_cases (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id  bigint NOT NULL UNIQUE REFERENCES incidents (id),
  area_id      bigint NOT NULL REFERENCES areas (id),
  shop_id      bigint NOT NULL REFERENCES shops (id),
  created_by   bigint REFERENCES principals (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX donation_cases_by_area ON donation_cases (area_id);

CREATE TABLE donation_claims (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id            bigint NOT NULL REFERENCES donation_cases (id),
  -- NULL once retention removed the link to the person.
  person_id          bigint REFERENCES persons (id),
  area_id            bigint NOT NULL REFERENCES areas (id),
  shop_id            bigint NOT NULL REFERENCES shops (id),
  payment_reference  text NOT NULL UNIQUE
                       CHECK (payment_reference ~ '^[0-9]{16}$'),
  state              text NOT NULL CHECK (state IN ('open', 'partially_paid',
                       'paid', 'waived', 'lapsed', 'refund_due', 'refunded',
                       'in_collection')),
  amount_cents       bigint NOT NULL CHECK (amount_cents > 0),
  admin_fee_cents    bigint NOT NULL
                       CHECK (admin_fee_cents >= 0 AND admin_fee_cents < amount_cents),
  paid_cents         bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
  refunded_cents     bigint NOT NULL DEFAULT 0
                       CHECK (refunded_cents BETWEEN 0 AND paid_cents),
  cancelled_cents    bigint NOT NULL DEFAULT 0
                       CHECK (cancelled_cents BETWEEN 0 AND amount_cents),
  created_on         date NOT NULL,
  due_on             date NOT NULL,
  reminders          integer NOT NULL DEFAULT 0 CHECK (reminders >= 0),
  waive_reason       text NOT NULL DEFAULT '' CHECK (length(waive_reason) <= 2000),
  dismiss_reason     text NOT NULL DEFAULT '' CHECK (length(dismiss_reason) <= 2000),
  refund_due_on      date,
  settled_on         date,
  unlinked_at        timestamptz,
  CHECK (paid_cents - refunded_cents <= amount_cents),
  CHECK ((person_id IS NULL) = (unlinked_at IS NOT NULL)),
  UNIQUE (case_id, person_id)
);
CREATE INDEX donation_claims_by_area ON donation_claims (area_id, state);
CREATE INDEX donation_claims_by_case ON donation_claims (case_id);
CREATE INDEX donation_claims_linked ON donation_claims (created_on)
  WHERE person_id IS NOT NULL;

CREATE TABLE donation_instalments (
  claim_id      bigint NOT NULL REFERENCES donation_claims (id),
  seq           integer NOT NULL CHECK (seq >= 1),
  due_on        date NOT NULL,
  amount_cents  bigint NOT NULL CHECK (amount_cents > 0),
  PRIMARY KEY (claim_id, seq)
);

-- Every payment, with its idempotency key; a provider's event id is unique
-- too, so a delivery is applied once even when two arrive at once.
CREATE TABLE donation_payments (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id           bigint NOT NULL REFERENCES donation_claims (id),
  idempotency_key    text NOT NULL UNIQUE,
  provider_event_id  text UNIQUE,
  amount_cents       bigint NOT NULL CHECK (amount_cents > 0),
  currency           text NOT NULL CHECK (currency = 'EUR'),
  state_after        text NOT NULL,
  balance_after      bigint NOT NULL,
  lapsed_claim_ids   bigint[] NOT NULL DEFAULT '{}',
  recorded_by        bigint REFERENCES principals (id),
  recorded_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX donation_payments_by_claim ON donation_payments (claim_id);

-- The ledger: the balance kinds sum to each claim's balance; fee and
-- shop_share split what came in. Entries are never changed.
CREATE TABLE donation_ledger (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  claim_id      bigint NOT NULL REFERENCES donation_claims (id),
  kind          text NOT NULL CHECK (kind IN ('claimed', 'paid', 'refunded',
                  'waived', 'lapsed', 'dismissed', 'fee', 'shop_share')),
  amount_cents  bigint NOT NULL,
  booked_on     date NOT NULL,
  payment_id    bigint REFERENCES donation_payments (id)
);
CREATE INDEX donation_ledger_by_claim ON donation_ledger (claim_id);
CREATE INDEX donation_ledger_by_day ON donation_ledger (booked_on);
