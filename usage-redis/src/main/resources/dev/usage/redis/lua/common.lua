-- Shared by every script (prepended by RedisScripts). Instants are microseconds of the engine's clock,
-- passed as decimal strings; amounts are integers below 2^53, exact as Lua numbers.
local MAX = 9007199254740991

local function num(s)
  return tonumber(s)
end

-- a whole number as a decimal string (Lua's own number formatting would use exponents)
local function int(x)
  return string.format('%d', x)
end

-- whether Redis runs this after `deadline` (microseconds of its own clock): the caller has given up
-- waiting and was told the outcome is unknown; a write now would count what it may retry
local function late(deadline)
  local t = redis.call('TIME')
  return num(t[1]) * 1000000 + num(t[2]) > num(deadline)
end

-- the TTL (ms, a decimal string) that keeps a key at least until `untilMicros`: relative to the engine's now,
-- plus a second
local function ttl(untilMicros, now)
  local ms = math.floor((num(untilMicros) - num(now)) / 1000) + 1000
  if ms < 1000 then
    ms = 1000
  end
  return int(ms)
end

-- keeps a key at least until `untilMicros` (see ttl)
local function keep(key, untilMicros, now)
  local ms = ttl(untilMicros, now)
  if redis.call('PEXPIRE', key, ms, 'NX') == 0 then
    redis.call('PEXPIRE', key, ms, 'GT')
  end
end

-- deletes `fields` of the hash `key`, in slices: unpack has a stack limit
local function hdel_all(key, fields)
  for s = 1, #fields, 1000 do
    redis.call('HDEL', key, unpack(fields, s, math.min(s + 999, #fields)))
  end
end

-- drops the root's k: fields (see RedisKeys) of counters whose time is up, an hour after it (an instance whose
-- clock is behind this call's may still count them alive). Called by the scripts that add a field, at a
-- period's first consume: consume.lua, and seed.lua (which adds them when the event log re-seeds), so that a
-- root names the counters of recent periods, not every period its user ever had (a daily quota adds a field a
-- day). A field past its counter's time is not needed: a counter is judged lost only while its field is alive,
-- and a missing field only sends a re-seeded user's consume to seed.lua, which re-creates nothing that has expired
local PRUNE_GRACE = 3600000000

local function prune(root, now)
  local all = redis.call('HGETALL', root)
  local gone = {}
  local before = num(now) - PRUNE_GRACE
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, 2) == 'k:' and not (num(all[i + 1]) and num(all[i + 1]) > before) then
      gone[#gone + 1] = all[i]
    end
  end
  hdel_all(root, gone)
end

-- a hold's deltas, encoded as type,period,amount,start,end,expiry;...
local function deltas(d)
  local out = {}
  for t, p, a, s, e, x in string.gmatch(d, '([^,;]+),([^,;]+),([^,;]+),([^,;]+),([^,;]+),([^,;]+)') do
    out[#out + 1] = {t = t, p = p, a = a, s = s, e = e, x = x}
  end
  return out
end

-- one type of a counter hash: expiry, used, reserved (strings); a type whose time is up is dropped first
local function live(ck, t, now)
  local v = redis.call('HMGET', ck, 'u:' .. t, 'r:' .. t, 'x:' .. t)
  if v[3] and num(v[3]) <= num(now) then
    redis.call('HDEL', ck, 'u:' .. t, 'r:' .. t, 's:' .. t, 'e:' .. t, 'x:' .. t)
    return nil, '0', '0'
  end
  -- a missing field comes back as false: answer nil for "no such counter"
  return v[3] or nil, v[1] or '0', v[2] or '0'
end

-- what the user's held reservations hold on one counter type (a decimal string): a counter made anew while
-- some are held (it was lost, or its time was up before theirs) holds it again, so that settling or lapsing
-- them takes off only what they added
local function held_on(prefix, period, t)
  local sum = 0
  for _, rid in ipairs(redis.call('ZRANGE', prefix .. 'hz', 0, -1)) do
    local h = redis.call('HMGET', prefix .. 'h:' .. rid, 'st', 'd')
    if h[1] == 'H' then
      for _, d in ipairs(deltas(h[2])) do
        if d.t == t and d.p == period then
          sum = sum + num(d.a)
        end
      end
    end
  end
  return int(sum)
end

-- takes a hold's amounts off its counters' reserved part
local function unhold(prefix, d)
  for _, h in ipairs(deltas(d)) do
    local ck = prefix .. 'c:' .. h.p
    if redis.call('HEXISTS', ck, 'r:' .. h.t) == 1 then
      -- never below zero: a counter re-created after a loss does not hold what the old one held
      if redis.call('HINCRBY', ck, 'r:' .. h.t, '-' .. h.a) < 0 then
        redis.call('HSET', ck, 'r:' .. h.t, '0')
      end
    end
  end
end

-- a held reservation's hash and the user's hz live as long as the hold's counters, so that the hold is lapsed
-- (its amounts given back) whenever the user comes back, even after the reservation's retention; once settled
-- or lapsed, the hash is needed only to answer repeats, until its retention (its k field)
local function retire(hk, now)
  local k = redis.call('HGET', hk, 'k')
  if k then
    redis.call('PEXPIRE', hk, ttl(k, now))
  end
end

-- lapses the user's held reservations whose hold ended by now; hx: the root's hx field (read by the caller;
-- the smallest number to look anyway, when the root is gone)
local function lapse(prefix, root, now, hx)
  if not hx or num(hx) > num(now) then
    return
  end
  local zkey = prefix .. 'hz'
  for _, rid in ipairs(redis.call('ZRANGEBYSCORE', zkey, '-inf', now)) do
    local hk = prefix .. 'h:' .. rid
    if redis.call('HGET', hk, 'st') == 'H' then
      unhold(prefix, redis.call('HGET', hk, 'd'))
      redis.call('HSET', hk, 'st', 'L')
      retire(hk, now)
    end
    redis.call('ZREM', zkey, rid)
  end
  local first = redis.call('ZRANGE', zkey, 0, 0, 'WITHSCORES')
  if first[2] then
    redis.call('HSET', root, 'hx', first[2])
    if redis.call('PTTL', root) == -1 then
      -- a root made here (the old one was evicted) lives at least as long as the holds it tracks
      redis.call('PEXPIRE', root, math.max(1000, redis.call('PTTL', zkey)))
    end
  else
    redis.call('HDEL', root, 'hx')
  end
end

-- a hold's counters (type, period, used, reserved each), appended to `out`
local function values(out, prefix, list, now)
  for _, c in ipairs(list) do
    local _, u, r = live(prefix .. 'c:' .. c.p, c.t, now)
    out[#out + 1] = c.t
    out[#out + 1] = c.p
    out[#out + 1] = u
    out[#out + 1] = r
  end
  return out
end

-- quantities as 'type=amount,...': type names as QuotaType allows them, amounts whole and not negative
local function valid_quantities(q)
  if q == '' then
    return true
  end
  for part in string.gmatch(q .. ',', '([^,]*),') do
    if not string.match(part, '^[a-z][a-z0-9_.%-]*=%d+$') then
      return false
    end
  end
  return true
end
