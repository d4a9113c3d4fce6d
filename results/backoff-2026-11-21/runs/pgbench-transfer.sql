-- txstorm's interactive transfer, updates in id order (txstorm --lock-order ordered)
\set from random(1, 10)
\set to 1 + (:from + random(0, 10 - 2)) % 10
\set amount random(1, 100)
\set lo least(:from, :to)
\set hi greatest(:from, :to)
\set delta_lo CASE WHEN :from < :to THEN -:amount ELSE :amount END
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT balance FROM accounts WHERE id = :from \gset
\if :balance >= :amount
UPDATE accounts SET balance = balance + :delta_lo WHERE id = :lo;
UPDATE accounts SET balance = balance - :delta_lo WHERE id = :hi;
\endif
COMMIT;
