-- The common consume in a few commands: counters that exist, are alive for the command's period, and carry
-- no hold that may have lapsed; an optional idempotency key not seen yet. Anything else answers X and the
-- caller runs consume.lua, which handles every case. Runs without common.lua. See RedisCounterStore.
--
-- One call carries one or more consumes (of any users: on a standalone server, RedisConsumeBatcher sends the
-- consumes that arrived while earlier calls were on their way together; on a Cluster, one consume per call,
-- so that every call stays in one slot). All of them are validated before the first is run; each is run as
-- if alone, in order.
-- KEYS: the keys of each consume, one after the other
-- ARGV: 1 the number of consumes m; then for each consume its number of keys and of arguments;
--       then the arguments of each consume, one after the other
-- Each consume's keys: 1 settings, [2 marker], then the counter hash of each delta, or that hash once when it
-- is every delta's (the quotas of one period, the usual case). The marker's key and arguments are sent only
-- with an idempotency key: every argument costs the client and Redis on the hot path.
-- Each consume's arguments: 1 now, 2 settings version ('' = not checked), 3 deadline (microseconds of Redis's
--       clock), 4 '1' = marker, '0' = none, [5 the marker, '<expiry>:<fingerprint>' (expiry in microseconds),
--       6 its TTL (ms): with a marker only], then per delta: type, amount, limit (-1: none), expiry
-- The marker is written with SET NX, which also tells whether the key was there (consume.lua reads it).
-- A consume is written only if Redis's clock has not passed its deadline. The clock is read by the first
-- consume of the call that passes its checks, and again after every 16 consumes: 16 consumes take Redis under
-- a millisecond (about 0.3-0.5 ms measured under load), and the deadline leaves half the command timeout for
-- the reply (see RedisConnector.deadline).
-- Reply: for each consume, the length of its answer, then its answer: {'A', used, reserved, ...};
--        {'R', 'type,type', used, reserved, ...}; {'S'}; {'O', type}; {'T'}; {'X'}; {'E', error}: a command
--        failed while it ran (a key of the wrong type, say); what it wrote before stays, as it would in a
--        script of its own, and the consumes after it run all the same. Any other error of Redis's (OOM,
--        READONLY, NOPERM, ...) fails the whole call, as it would a script of its own (OOM and READONLY come at
--        a call's first write, before anything of it was written)

local KEYS, ARGV, call, tonumber = KEYS, ARGV, redis.call, tonumber

-- the numeric arguments, by their index in ARGV, read once while checking
local num = {}
-- Redis's clock (microseconds) and the number of consumes run since it was read
local clock, since = nil, 0

-- the consume whose keys start after KEYS[k0] and arguments after ARGV[a0]: nil when well formed
local function malformed(k0, nk, a0, na)
  local marker = ARGV[a0 + 4] == '1'
  local h = marker and 6 or 4
  local n = (na - h) / 4
  local now, deadline = tonumber(ARGV[a0 + 1]), tonumber(ARGV[a0 + 3])
  local counters = nk - (marker and 2 or 1)
  if n < 1 or n ~= math.floor(n) or (counters ~= n and counters ~= 1) or not now or not deadline
      or (ARGV[a0 + 4] ~= '0' and not marker)
      or (marker and not (string.find(ARGV[a0 + 5], '^%-?%d+:') and string.find(ARGV[a0 + 6], '^[1-9]%d*$'))) then
    return 'malformed call'
  end
  num[a0 + 1], num[a0 + 3] = now, deadline
  for i = 1, n do
    local b = a0 + h + 1 + (i - 1) * 4
    local amount, limit, expiry = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
    if not (amount and limit and expiry) then
      return 'delta ' .. i .. ' is not numeric'
    end
    num[b + 1], num[b + 2], num[b + 3] = amount, limit, expiry
  end
  return nil
end

-- the field names of a quota type in its counter hash, made once per call
local names = {}
local function fields(t)
  local f = names[t]
  if not f then
    f = {'u:' .. t, 'r:' .. t, 'x:' .. t}
    names[t] = f
  end
  return f
end

-- runs one well-formed consume; it writes only if Redis's clock has not passed its deadline
local function consume(k0, nk, a0, na)
  local marker = ARGV[a0 + 4] == '1'
  local h = marker and 6 or 4
  local kh = k0 + (marker and 2 or 1)
  local n = (na - h) / 4
  -- one counter hash for all deltas, or one per delta
  local shared = nk - (marker and 2 or 1) == 1
  if ARGV[a0 + 2] ~= '' and (call('HGET', KEYS[k0 + 1], 'v') or '0') ~= ARGV[a0 + 2] then
    return {'S'}
  end
  -- the counters: one HMGET for a shared hash, one per delta otherwise
  local c, stride
  if shared then
    local args = {}
    for i = 1, n do
      local f = fields(ARGV[a0 + h + 1 + (i - 1) * 4])
      args[#args + 1] = f[1]
      args[#args + 1] = f[2]
      args[#args + 1] = f[3]
    end
    args[#args + 1] = 'hx'
    c = call('HMGET', KEYS[kh + 1], unpack(args))
    stride = 3
  else
    c = {}
    for i = 1, n do
      local f = fields(ARGV[a0 + h + 1 + (i - 1) * 4])
      local one = call('HMGET', KEYS[kh + i], f[1], f[2], f[3], 'hx')
      c[#c + 1] = one[1]
      c[#c + 1] = one[2]
      c[#c + 1] = one[3]
      c[#c + 1] = one[4]
    end
    stride = 4
  end
  local now = num[a0 + 1]
  local rejected, over = nil, nil
  for i = 1, n do
    local b = a0 + h + 1 + (i - 1) * 4
    local o = (i - 1) * stride
    local used, reserved, expiry = c[o + 1], c[o + 2], c[o + 3]
    local hx = c[shared and 3 * n + 1 or o + 4] -- the earliest hold expiry: once in a shared hash
    if expiry ~= ARGV[b + 3] or num[b + 3] <= now or (reserved ~= '0' and (not hx or tonumber(hx) <= now)) then
      -- the full path creates, extends and lapses: a counter it has not made ready is not for this one
      return {'X'}
    end
    local total = tonumber(used) + num[b + 1]
    if reserved ~= '0' then
      total = total + tonumber(reserved)
    end
    local limit = num[b + 2]
    if limit >= 0 and total > limit then
      rejected = rejected and (rejected .. ',' .. ARGV[b]) or ARGV[b]
    elseif total > 9007199254740991 and not over then
      over = ARGV[b]
    end
  end
  -- a key seen before is the full path's to answer (it replays what the key was first answered); the
  -- admitted path below learns that from its SET NX
  if (over or rejected) and marker and call('EXISTS', KEYS[k0 + 2]) == 1 then
    return {'X'}
  end
  if over then
    return {'O', over}
  end
  if rejected then
    local reply = {'R', rejected}
    for i = 1, n do
      local o = (i - 1) * stride
      reply[#reply + 1] = c[o + 1]
      reply[#reply + 1] = c[o + 2]
    end
    return reply
  end
  if not clock or since >= 16 then
    since = 0
    local t = call('TIME')
    clock = t[1] * 1000000 + t[2]
  end
  if clock > num[a0 + 3] then
    return {'T'}
  end
  -- the consume's first write: nothing is written for a key that is there already
  if marker and not call('SET', KEYS[k0 + 2], ARGV[a0 + 5], 'NX', 'PX', ARGV[a0 + 6]) then
    return {'X'}
  end
  local reply = {'A'}
  -- one write for all when no type comes twice (the storage never sends one twice, but a count read once
  -- cannot take two increments)
  local once = shared
  for i = 2, once and n or 0 do
    for j = 1, i - 1 do
      if ARGV[a0 + h + 1 + (i - 1) * 4] == ARGV[a0 + h + 1 + (j - 1) * 4] then
        once = false
      end
    end
  end
  if once then
    -- the new counts are known (read above, and nothing runs in between); exact, as every total was checked to
    -- stay within 2^53 - 1
    local set = {}
    for i = 1, n do
      local b = a0 + h + 1 + (i - 1) * 4
      local o = (i - 1) * 3
      local v = string.format('%d', tonumber(c[o + 1]) + num[b + 1])
      set[2 * i - 1] = fields(ARGV[b])[1]
      set[2 * i] = v
      reply[2 * i] = v
      reply[2 * i + 1] = c[o + 2]
    end
    call('HSET', KEYS[kh + 1], unpack(set))
  else
    for i = 1, n do
      local b = a0 + h + 1 + (i - 1) * 4
      reply[2 * i] = call('HINCRBY', KEYS[kh + (shared and 1 or i)], fields(ARGV[b])[1], ARGV[b + 1])
      reply[2 * i + 1] = c[(i - 1) * stride + 2]
    end
  end
  return reply
end

local m = tonumber(ARGV[1])
if not m or m < 1 or m ~= math.floor(m) or #ARGV < 1 + 2 * m then
  return redis.error_reply('ERR usage consume: malformed call')
end
-- every consume is checked before the first one writes
local k0, a0 = 0, 1 + 2 * m
for j = 1, m do
  local nk, na = tonumber(ARGV[2 * j]), tonumber(ARGV[2 * j + 1])
  if not (nk and na) or k0 + nk > #KEYS or a0 + na > #ARGV then
    return redis.error_reply('ERR usage consume: malformed call')
  end
  local problem = malformed(k0, nk, a0, na)
  if problem then
    return redis.error_reply('ERR usage consume: ' .. problem .. (m > 1 and (' (consume ' .. j .. ')') or ''))
  end
  k0, a0 = k0 + nk, a0 + na
end
if k0 ~= #KEYS or a0 ~= #ARGV then
  return redis.error_reply('ERR usage consume: malformed call')
end
local out = {}
k0, a0 = 0, 1 + 2 * m
for j = 1, m do
  local nk, na = tonumber(ARGV[2 * j]), tonumber(ARGV[2 * j + 1])
  local ok, reply = pcall(consume, k0, nk, a0, na)
  since = since + 1
  if not ok then
    local message = type(reply) == 'table' and tostring(reply.err) or tostring(reply)
    if string.find(message, '^%-?[A-Z]+') and not string.find(message, '^%-?ERR') and not string.find(message, '^%-?WRONGTYPE') then
      -- an error of Redis's own, not of this consume's keys: the whole call fails with it, and each caller
      -- learns from it whether anything may have been written
      return redis.error_reply(message)
    end
    reply = {'E', message}
  end
  out[#out + 1] = #reply
  for _, v in ipairs(reply) do
    out[#out + 1] = v
  end
  k0, a0 = k0 + nk, a0 + na
end
return out
