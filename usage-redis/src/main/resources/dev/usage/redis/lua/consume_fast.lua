-- The common consume in a few commands: counters that exist, are alive for the command's period (the caller
-- sends only counters whose expiry is after its now), and carry no hold that may have lapsed; an optional
-- idempotency key not seen yet. Anything else answers X and the caller runs consume.lua, which handles every
-- case. Runs without common.lua. See RedisCounterStore.
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
--       6 its TTL (ms): with a marker only], then per delta: type, amount, limit (-1: none), expiry (the
--       counter's, as the full path writes it; the counter's may be later. The client sends only counters whose
--       expiry is after its now)
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

local KEYS, ARGV, call, tonumber, unpack, pcall = KEYS, ARGV, redis.call, tonumber, unpack, pcall
local floor, find, format = math.floor, string.find, string.format

-- the numeric arguments, read once while checking: of each consume from num[v0 + 1] on (v0 kept per consume),
-- now, deadline, then each delta's amount and limit (an array filled in order: cheaper than ARGV's indexes)
local num, nv = {}, 0
-- Redis's clock (microseconds) and the number of consumes run since it was read
local clock, since = nil, 0

-- the consume whose keys start after KEYS[k0] and arguments after ARGV[a0]: nil when well formed
local function malformed(k0, nk, a0, na)
  local marker = ARGV[a0 + 4] == '1'
  local h = marker and 6 or 4
  local n = (na - h) / 4
  local now, deadline = tonumber(ARGV[a0 + 1]), tonumber(ARGV[a0 + 3])
  local counters = nk - (marker and 2 or 1)
  if n < 1 or n ~= floor(n) or (counters ~= n and counters ~= 1) or not now or not deadline
      or (ARGV[a0 + 4] ~= '0' and not marker)
      or (marker and not (find(ARGV[a0 + 5], '^%-?%d+:') and find(ARGV[a0 + 6], '^[1-9]%d*$'))) then
    return 'malformed call'
  end
  num[nv + 1], num[nv + 2] = now, deadline
  for i = 1, n do
    local b = a0 + h + 1 + (i - 1) * 4
    local amount, limit = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
    -- the expiry is only compared with the counter's (see consume): one that is not a number matches none, and
    -- the full path refuses it. Amounts are whole and in range, so that no write fails after an earlier one
    -- (the counts written are formatted here, never the arguments as sent)
    if not (amount and limit) or amount < 1 or amount > 9007199254740991 or amount ~= floor(amount)
        or limit < -1 or limit > 9007199254740991 or limit ~= floor(limit) then
      return 'delta ' .. i .. ' is not a whole amount in 1..2^53-1 and a limit in -1..2^53-1'
    end
    num[nv + 1 + 2 * i], num[nv + 2 + 2 * i] = amount, limit
  end
  nv = nv + 2 + 2 * n
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

-- the fields one consume reads of a shared hash (u, r and x of each type), and whether no type comes twice;
-- kept for the next consume of the same types, as the consumes of one call usually are
local last, lastN, lastArgs, lastOnce = {}, 0, nil, true
local function sharedFields(a0, h, n)
  local same = n == lastN
  for i = 1, same and n or 0 do
    if last[i] ~= ARGV[a0 + h + 1 + (i - 1) * 4] then
      same = false
      break
    end
  end
  if not same then
    local args, once = {}, true
    for i = 1, n do
      local t = ARGV[a0 + h + 1 + (i - 1) * 4]
      for j = 1, i - 1 do
        if last[j] == t then
          once = false
        end
      end
      last[i] = t
      local f = fields(t)
      args[3 * i - 2], args[3 * i - 1], args[3 * i] = f[1], f[2], f[3]
    end
    lastN, lastArgs, lastOnce = n, args, once
  end
  return lastArgs, lastOnce
end

-- per delta of the consume being run: its new used count; the fields and values of its one HSET
local sums, set = {}, {}

-- runs one well-formed consume; it writes only if Redis's clock has not passed its deadline. An admitted
-- consume of one write appends its answer to out itself, after its last command (nothing is appended by a
-- consume that fails); any other returns its answer
local function consume(k0, nk, a0, na, v0, out)
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
  local c, stride, once
  if shared then
    local args
    args, once = sharedFields(a0, h, n)
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
    once = false
  end
  local rejected, over, held = nil, nil, nil
  for i = 1, n do
    local b = a0 + h + 1 + (i - 1) * 4
    local o = (i - 1) * stride
    local used, reserved = c[o + 1], c[o + 2]
    -- the expiry the full path gave the counter, compared as text first (the client sends only counters alive at
    -- its now); a later one serves as well (an instance keeping counters for less, or a retention lowered
    -- mid-period: the full path would keep it), an earlier one is the full path's to raise
    if c[o + 3] ~= ARGV[b + 3] then
      local stored, sent = c[o + 3] and tonumber(c[o + 3]), tonumber(ARGV[b + 3])
      if not (stored and sent and stored >= sent) then
        return {'X'}
      end
    end
    local sum = tonumber(used) + num[v0 + 1 + 2 * i]
    local total = sum
    if reserved ~= '0' then
      -- a hold: alive only before the earliest hold expiry (hx; a shared hash's is read only now)
      local hx
      if shared then
        if held == nil then
          held = call('HGET', KEYS[kh + 1], 'hx') or false
        end
        hx = held
      else
        hx = c[o + 4]
      end
      if not hx or tonumber(hx) <= num[v0 + 1] then
        -- the full path lapses it
        return {'X'}
      end
      total = sum + tonumber(reserved)
    end
    sums[i] = sum
    local limit = num[v0 + 2 + 2 * i]
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
  if clock > num[v0 + 2] then
    return {'T'}
  end
  -- the consume's first write: nothing is written for a key that is there already
  if marker and not call('SET', KEYS[k0 + 2], ARGV[a0 + 5], 'NX', 'PX', ARGV[a0 + 6]) then
    return {'X'}
  end
  if once then
    -- one write for all (no type comes twice: a count read once cannot take two increments). The new counts
    -- are known (read above, and nothing runs in between); exact, as every total was checked to stay within
    -- 2^53 - 1
    for i = 1, n do
      set[2 * i - 1] = lastArgs[3 * i - 2]
      set[2 * i] = format('%d', sums[i])
    end
    call('HSET', KEYS[kh + 1], unpack(set, 1, 2 * n))
    local o = #out
    out[o + 1] = 1 + 2 * n
    out[o + 2] = 'A'
    for i = 1, n do
      out[o + 1 + 2 * i] = set[2 * i]
      out[o + 2 + 2 * i] = c[3 * i - 1]
    end
    return nil
  end
  local reply = {'A'}
  for i = 1, n do
    local b = a0 + h + 1 + (i - 1) * 4
    local amount = format('%d', num[v0 + 1 + 2 * i])
    reply[2 * i] = call('HINCRBY', KEYS[kh + (shared and 1 or i)], fields(ARGV[b])[1], amount)
    reply[2 * i + 1] = c[(i - 1) * stride + 2]
  end
  return reply
end

local m = tonumber(ARGV[1])
if not m or m < 1 or m ~= floor(m) or #ARGV < 1 + 2 * m then
  return redis.error_reply('ERR usage consume: malformed call')
end
-- every consume is checked before the first one writes
local size = {}
local k0, a0 = 0, 1 + 2 * m
for j = 1, m do
  local nk, na = tonumber(ARGV[2 * j]), tonumber(ARGV[2 * j + 1])
  if not (nk and na) or k0 + nk > #KEYS or a0 + na > #ARGV then
    return redis.error_reply('ERR usage consume: malformed call')
  end
  -- the consume's sizes, and where its numbers start (malformed adds them)
  size[3 * j - 2], size[3 * j - 1], size[3 * j] = nk, na, nv
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
  local nk, na = size[3 * j - 2], size[3 * j - 1]
  local ok, reply = pcall(consume, k0, nk, a0, na, size[3 * j], out)
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
  if reply then
    local o = #out
    out[o + 1] = #reply
    for i = 1, #reply do
      out[o + 1 + i] = reply[i]
    end
  end
  k0, a0 = k0 + nk, a0 + na
end
return out
