-- Everything the database keeps about one request id (docs/tracing.md): psql -v id=<request id> -f scripts/trace.sql
-- The id may be any request's (hold, checkout, a webhook delivery, a staff action), a job run's (job-<name>-<uuid>),
-- an email's X-Request-Id or a Stripe object's metadata.request_id. Step 1 finds the reservations that id touched;
-- step 2 returns every audit, outbox and inbox row of those reservations, each with the request id that wrote it.
with seed as (select :'id'::text as id),
touched as (
  select a.entity_id as reservation_id from audit_log a, seed
   where a.request_id = seed.id and a.entity_type = 'reservation'
  union
  select p.reservation_id::text from audit_log a join payments p on p.id::text = a.entity_id, seed
   where a.request_id = seed.id and a.entity_type = 'payment'
  union
  select n.reservation_id::text from notifications n, seed
   where n.request_id = seed.id and n.reservation_id is not null
  union
  select w.payload #>> '{data,object,metadata,reservation_id}' from webhook_events w, seed
   where (w.request_id = seed.id or w.payload #>> '{data,object,metadata,request_id}' = seed.id)
     and w.payload #>> '{data,object,metadata,reservation_id}' is not null
)
select 'audit' as source, a.occurred_at as at, a.request_id, a.action as what,
       a.entity_type || ':' || a.entity_id as subject, a.reason as detail
  from audit_log a, seed
 where a.request_id = seed.id
    or (a.entity_type = 'reservation' and a.entity_id in (select reservation_id from touched))
    or (a.entity_type = 'payment' and a.entity_id in
          (select p.id::text from payments p where p.reservation_id::text in (select reservation_id from touched)))
    or (a.entity_type = 'notification' and a.entity_id in
          (select n.id::text from notifications n where n.reservation_id::text in (select reservation_id from touched)))
union all
select 'outbox', n.created_at, n.request_id, n.kind || ' ' || n.channel || ' ' || n.status,
       'notification:' || n.id, n.last_error
  from notifications n, seed
 where n.request_id = seed.id or n.reservation_id::text in (select reservation_id from touched)
union all
select 'inbox', w.received_at, w.request_id, w.type || ' ' || w.status || coalesce(' ' || w.outcome, ''),
       w.provider || ':' || w.event_id, 'metadata.request_id=' || coalesce(w.payload #>> '{data,object,metadata,request_id}', '-')
  from webhook_events w, seed
 where w.request_id = seed.id
    or w.payload #>> '{data,object,metadata,request_id}' = seed.id
    or w.payload #>> '{data,object,metadata,reservation_id}' in (select reservation_id from touched)
 order by at, source;
