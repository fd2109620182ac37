-- The demo catalog the lab sells: fixed ids (10000000-0000-4000-8000-0000000000NN), so load
-- scripts and experiments can name them. Applied once like every migration; ON CONFLICT keeps
-- it harmless where a product with one of these ids already exists.
INSERT INTO products (id, name, description, price, stock) VALUES
  ('10000000-0000-4000-8000-000000000001', 'Circuit Breaker Mug', 'Opens when your coffee runs out; half-opens after a refill.', 1490, 10000),
  ('10000000-0000-4000-8000-000000000002', 'Retry Socks', 'Three pairs, exponential backoff between wears, with jitter.', 1290, 10000),
  ('10000000-0000-4000-8000-000000000003', 'Bulkhead Backpack', 'Isolated compartments: a leaking bottle never floods the laptop.', 7990, 10000),
  ('10000000-0000-4000-8000-000000000004', 'Timeout Hourglass', 'Exactly two seconds per attempt.', 990, 10000),
  ('10000000-0000-4000-8000-000000000005', 'Fallback Umbrella', 'A sensible default when the forecast is unavailable.', 2490, 10000),
  ('10000000-0000-4000-8000-000000000006', 'Idempotency Key Ring', 'Turn it twice; the door opens once.', 790, 10000),
  ('10000000-0000-4000-8000-000000000007', 'Dead Letter Notebook', 'For the messages that could not be delivered.', 1190, 10000),
  ('10000000-0000-4000-8000-000000000008', 'Outbox Tote Bag', 'Everything you put in gets delivered, at least once.', 1590, 10000),
  ('10000000-0000-4000-8000-000000000009', 'Trace Context Hoodie', 'Follows you from span to span.', 4990, 10000),
  ('10000000-0000-4000-8000-000000000010', 'Saga Board Game', 'Every move has a compensation. Two to six players.', 3490, 10000),
  ('10000000-0000-4000-8000-000000000011', 'Toxiproxy Sticker Pack', 'Latency, bandwidth, slow_close and friends.', 390, 10000),
  ('10000000-0000-4000-8000-000000000012', 'Chaos Monkey Plush', 'Limited edition: only five exist, for out-of-stock experiments.', 2990, 5)
ON CONFLICT (id) DO NOTHING;
