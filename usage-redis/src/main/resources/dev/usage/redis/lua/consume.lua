-- Consume (or hold) amounts on one user's counters, all or nothing. See RedisCounterStore.
-- KEYS: 1 slot sentinel, 2 root, 3 settings, 4 marker (root when none), 5 hold (root when none),
--       6.. the counter hash of each delta
-- ARGV: 1 user key prefix, 2 now, 3 settings version ('' = not checked), 4 '1' = answer N (to be re-seeded
--       from the event log) instead of failing on lost state, or for a user without a root, 5 '1' = marker,
--       6 fingerprint, 7 marker expiry, 8 '1' = hold, 9 encoded reservation id, 10 hold expiry, 11 hold retention,
--       12 reservation id, 13 user id, 14 deadline (microseconds of Redis's clock), then per delta: type, period, amount, limit (-1: none), start, end, expiry
-- Replies: {'A', used, reserved, ...} admitted; {'R', 'type,type', used, reserved, ...} rejected;
--   {'P' | 'C', reservation id, hold expiry, hold retention, used, reserved, ...} replayed / conflict;
--   {'S'} stale settings; {'O', type} past 2^53-1; {'L', why} state lost; {'N'} needs seeding;
--   {'T'} run after its deadline (the caller gave up waiting): nothing changed
local n = (#ARGV - 14) / 7
if n < 1 or n ~= math.floor(n) or #KEYS ~= 5 + n or not num(ARGV[2]) then
  return redis.error_reply('ERR usage consume: malformed call')
end
for i = 0, n - 1 do
  local b = 15 + i * 7
  for j = 2, 6 do
    if not num(ARGV[b + j]) then
      return redis.error_reply('ERR usage consume: delta ' .. i .. ' field ' .. j .. ' is not a number')
    end
  end
  -- decimal whole numbers, as the engine sends them: a fraction or an exponent would fail the HINCRBY below,
  -- after the deltas before it were written
  if not (string.find(ARGV[b + 2], '^[1-9]%d*$') and num(ARGV[b + 2]) <= MAX) then
    return redis.error_reply('ERR usage consume: delta ' .. i .. ' amount is not a whole number in 1..2^53-1')
  end
  if ARGV[b + 3] ~= '-1' and not (string.find(ARGV[b + 3], '^%d+$') and num(ARGV[b + 3]) <= MAX) then
    return redis.error_reply('ERR usage consume: delta ' .. i .. ' limit is not -1 or a whole number in 0..2^53-1')
  end
end
if (ARGV[5] == '1' and not num(ARGV[7])) or (ARGV[8] == '1' and not (num(ARGV[10]) and num(ARGV[11])))
    or not num(ARGV[14]) then
  return redis.error_reply('ERR usage consume: malformed marker, hold or deadline')
end
if late(ARGV[14]) then
  return {'T'}
end

local prefix, root, now = ARGV[1], KEYS[2], ARGV[2]
local fields = {'epoch', 'hx', 'sd'}
for i = 0, n - 1 do
  local b = 15 + i * 7
  fields[#fields + 1] = 'k:' .. ARGV[b + 1] .. ':' .. ARGV[b]
end
local rv = redis.call('HMGET', root, unpack(fields))
-- a user with a root kept their state; only without one does the slot's sentinel say new user or lost data
local epoch = rv[1]
local fresh = not epoch
if fresh then
  epoch = redis.call('GET', KEYS[1])
  if not epoch then
    return {'L', 'sentinel'}
  end
end
if fresh and ARGV[4] == '1' then
  return {'N'}
end
if ARGV[3] ~= '' and (redis.call('HGET', KEYS[3], 'v') or '0') ~= ARGV[3] then
  return {'S'}
end
lapse(prefix, root, now, fresh and '-9007199254740991' or rv[2])

local function current()
  local out = {}
  for i = 0, n - 1 do
    local _, u, r = live(KEYS[6 + i], ARGV[15 + i * 7], now)
    out[#out + 1] = u
    out[#out + 1] = r
  end
  return out
end

-- an idempotency marker's fingerprint, hold id, hold expiry, hold retention and expiry (nil when absent): a
-- marker without a hold is the string '<expiry>:<fingerprint>', one with a hold a hash
local function marker(key)
  local kind = redis.call('TYPE', key).ok
  if kind == 'string' then
    local s = redis.call('GET', key)
    local at = string.find(s, ':', 1, true)
    return {string.sub(s, at + 1), nil, nil, nil, string.sub(s, 1, at - 1)}
  elseif kind == 'hash' then
    return redis.call('HMGET', key, 'f', 'h', 'hx', 'hk', 'x')
  end
  return {}
end

if ARGV[5] == '1' then
  local m = marker(KEYS[4])
  if m[1] and num(m[5]) > num(now) then
    local reply = {m[1] == ARGV[6] and 'P' or 'C', m[2] or '', m[3] or '', m[4] or ''}
    for _, v in ipairs(current()) do
      reply[#reply + 1] = v
    end
    return reply
  end
end

local seen, rejected, over = {}, {}, nil
local rootFields, rootKeep = {}, nil
for i = 0, n - 1 do
  local b = 15 + i * 7
  local t, amount, limit = ARGV[b], num(ARGV[b + 2]), num(ARGV[b + 3])
  local x, u, r = live(KEYS[6 + i], t, now)
  if x == nil and not fresh and rv[4 + i] and num(rv[4 + i]) > num(now) then
    -- the root recorded this counter, alive until later, and it is gone: evicted or flushed. It is not started
    -- again at zero: re-seeded, or refused until an administrator accepts the loss (accept_loss.lua drops the
    -- record)
    if ARGV[4] == '1' then
      return {'N'}
    end
    return {'L', 'counter'}
  elseif x == nil and not fresh and not rv[4 + i] and rv[3] and num(ARGV[b + 4]) < num(rv[3]) and ARGV[4] == '1' then
    -- a user re-seeded after a loss meets a counter the seeding did not cover, of a period begun before it (see
    -- seed.lua): seed it from the events too
    return {'N'}
  end
  if x == nil then
    r = held_on(prefix, ARGV[b + 1], t)
  end
  seen[i + 1] = {x = x, u = u, r = r}
  local total = num(u) + num(r) + amount
  if limit >= 0 and total > limit then
    rejected[#rejected + 1] = t
  elseif total > MAX and not over then
    over = t
  end
end
if over then
  return {'O', over}
end
if #rejected > 0 then
  local reply = {'R', table.concat(rejected, ',')}
  for i = 1, n do
    reply[#reply + 1] = seen[i].u
    reply[#reply + 1] = seen[i].r
  end
  return reply
end

-- admitted: from here on, writes
local hold = ARGV[8] == '1'
local part = hold and 'r:' or 'u:'
local reply = {'A'}
local held = {}
local pruned = fresh
if fresh then
  rootFields[#rootFields + 1] = 'epoch'
  rootFields[#rootFields + 1] = epoch
end
for i = 0, n - 1 do
  local b = 15 + i * 7
  local t, p, amount, s, e, x = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 4], ARGV[b + 5], ARGV[b + 6]
  local ck = KEYS[6 + i]
  if seen[i + 1].x == nil then
    redis.call('HSET', ck, 'u:' .. t, '0', 'r:' .. t, seen[i + 1].r, 's:' .. t, s, 'e:' .. t, e, 'x:' .. t, x,
      'id', ARGV[13])
    keep(ck, x, now)
  elseif num(x) > num(seen[i + 1].x) then
    redis.call('HSET', ck, 'x:' .. t, x)
    keep(ck, x, now)
  end
  local after = redis.call('HINCRBY', ck, part .. t, amount)
  if hold then
    reply[#reply + 1] = seen[i + 1].u
    reply[#reply + 1] = after
  else
    reply[#reply + 1] = after
    reply[#reply + 1] = seen[i + 1].r
  end
  local known = rv[4 + i]
  if not known and not pruned then
    pruned = true
    prune(root, now)
  end
  if not known or num(known) < num(x) then
    rootFields[#rootFields + 1] = 'k:' .. p .. ':' .. t
    rootFields[#rootFields + 1] = x
    if not rootKeep or num(x) > num(rootKeep) then
      rootKeep = x
    end
  end
  if hold then
    held[#held + 1] = table.concat({t, p, amount, s, e, x}, ',')
  end
end
if #rootFields > 0 then
  redis.call('HSET', root, unpack(rootFields))
end
-- after the HSET: a new user's root exists only now (PEXPIRE of a missing key does nothing)
if rootKeep then
  keep(root, rootKeep, now)
end
if hold then
  local hk, hx, hkeep = KEYS[5], ARGV[10], ARGV[11]
  -- kept while held as long as its counters (see retire in common.lua)
  local last = hkeep
  for i = 0, n - 1 do
    if num(ARGV[21 + i * 7]) > num(last) then
      last = ARGV[21 + i * 7]
    end
  end
  redis.call('HSET', hk, 'st', 'H', 'x', hx, 'k', hkeep, 'd', table.concat(held, ';'), 'uid', ARGV[13])
  keep(hk, last, now)
  redis.call('ZADD', prefix .. 'hz', hx, ARGV[9])
  keep(prefix .. 'hz', last, now)
  local first = redis.call('HGET', root, 'hx')
  if not first or num(hx) < num(first) then
    redis.call('HSET', root, 'hx', hx)
  end
end
-- the fast path (consume_fast.lua) reads a counter with a reserved part only while no hold may have lapsed:
-- each counter touched here learns the user's earliest hold expiry, a lower bound of its own holds'
local earliest = redis.call('HGET', root, 'hx')
for i = 0, n - 1 do
  if earliest and (hold or seen[i + 1].r ~= '0') then
    redis.call('HSET', KEYS[6 + i], 'hx', earliest)
  end
end
if ARGV[5] == '1' then
  local mk = KEYS[4]
  -- an expired marker may still be there (its TTL runs a second longer): none of its fields survive
  if hold then
    redis.call('DEL', mk)
    redis.call('HSET', mk, 'f', ARGV[6], 'x', ARGV[7], 'h', ARGV[12], 'hx', ARGV[10], 'hk', ARGV[11])
    keep(mk, ARGV[7], now)
  else
    redis.call('SET', mk, ARGV[7] .. ':' .. ARGV[6], 'PX', ttl(ARGV[7], now))
  end
end
return reply
