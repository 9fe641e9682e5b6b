-- Commit or release one reservation. See RedisCounterStore.
-- KEYS: 1 slot sentinel, 2 root, 3 the reservation's hash
-- ARGV: 1 user key prefix, 2 now, 3 encoded reservation id, 4 'commit' | 'release',
--       5 the canonical actual amounts (commit), 6 deadline (microseconds of Redis's clock), 7 '1' = counters
--       are re-seeded from the event log (a counter gone before the expiry the hold recorded is then lost,
--       whatever the root says), then pairs type, amount (commit)
-- Replies (then used, reserved per held counter): {'SET'} settled; {'P'} replayed; {'C'} conflict;
--   {'F'} not found (nothing else); {'I', type} a type not held; {'O', type} past 2^53-1; {'L', why} lost
--   ({'L', 'counter', then type, period, start, end, expiry of each lost counter});
--   {'T'} run after its deadline: nothing changed
if #ARGV < 7 or (#ARGV - 7) % 2 ~= 0 or not num(ARGV[2]) or not num(ARGV[6])
    or (ARGV[4] ~= 'commit' and ARGV[4] ~= 'release') or (ARGV[7] ~= '0' and ARGV[7] ~= '1') then
  return redis.error_reply('ERR usage settle: malformed call')
end
for i = 8, #ARGV, 2 do
  -- a whole number of units, at most 2^53 - 1 (as the engine sends them): a fraction or an exponent would
  -- fail the HINCRBY below, after the hold was given back
  if not (string.find(ARGV[i + 1], '^%d+$') and num(ARGV[i + 1]) <= MAX) then
    return redis.error_reply('ERR usage settle: amount of ' .. ARGV[i] .. ' is not a whole number of units')
  end
end
if late(ARGV[6]) then
  return {'T'}
end
local prefix, root, now, commit = ARGV[1], KEYS[2], ARGV[2], ARGV[4] == 'commit'
-- as in consume.lua: a user with a root kept their state (a sentinel evicted alone says nothing about it); only
-- without one does the slot's sentinel say new user or lost data
local rh = redis.call('HMGET', root, 'epoch', 'hx')
if not rh[1] and not redis.call('GET', KEYS[1]) then
  return {'L', 'sentinel'}
end
-- as in consume.lua: for a user without a root (evicted, their holds still there) every expired hold lapses
local hx = rh[2]
if not rh[1] then
  hx = '-9007199254740991'
end
lapse(prefix, root, now, hx)
local h = redis.call('HMGET', KEYS[3], 'st', 'd', 'a', 'k', 'uid')
if not h[1] or num(h[4]) <= num(now) then
  return {'F'}
end
local list = deltas(h[2])
if h[1] == 'C' then
  return values({(commit and h[3] == ARGV[5]) and 'P' or 'C'}, prefix, list, now)
end
if h[1] == 'R' then
  return values({commit and 'C' or 'P'}, prefix, list, now)
end
local held = h[1] == 'H'
if not commit then
  if held then
    unhold(prefix, h[2])
    redis.call('ZREM', prefix .. 'hz', ARGV[3])
  end
  redis.call('HSET', KEYS[3], 'st', 'R')
  retire(KEYS[3], now)
  return values({'SET'}, prefix, list, now)
end

local actual = {}
for i = 8, #ARGV, 2 do
  local found = false
  for _, d in ipairs(list) do
    if d.t == ARGV[i] then
      found = true
    end
  end
  if not found then
    return {'I', ARGV[i]}
  end
  actual[ARGV[i]] = ARGV[i + 1]
end
local lost, over = {'L', 'counter'}, nil
for _, d in ipairs(list) do
  local x, u, r = live(prefix .. 'c:' .. d.p, d.t, now)
  if not x and actual[d.t] and num(actual[d.t]) > 0 then
    local recorded = redis.call('HGET', root, 'k:' .. d.p .. ':' .. d.t)
    if (recorded and num(recorded) > num(now)) or (ARGV[7] == '1' and num(d.x) > num(now)) then
      -- the root says the counter is alive, or the hold does (its root may have gone with it): it was lost,
      -- and is not started again at zero here (the caller re-seeds it, when it can, from what is named: every
      -- lost counter of the hold at once). Without re-seeding only the root's word counts, so that a loss an
      -- administrator accepted (accept_loss.lua drops the root's records) is not refused again
      for _, v in ipairs({d.t, d.p, d.s, d.e, d.x}) do
        lost[#lost + 1] = v
      end
    end
  end
  local minus = held and num(d.a) or 0
  if not over and num(u) + num(r) - minus + num(actual[d.t] or '0') > MAX then
    over = d.t
  end
end
if #lost > 2 then
  return lost
end
if over then
  return {'O', over}
end
-- valid: from here on, writes
if held then
  unhold(prefix, h[2])
  redis.call('ZREM', prefix .. 'hz', ARGV[3])
end
for _, d in ipairs(list) do
  local a = actual[d.t]
  if a and num(a) > 0 then
    local ck = prefix .. 'c:' .. d.p
    if not live(ck, d.t, now) then
      -- the counter is gone (its time is up, or the hold outlived it): a late commit still charges
      redis.call('HSET', ck, 'u:' .. d.t, '0', 'r:' .. d.t, held_on(prefix, d.p, d.t), 's:' .. d.t, d.s, 'e:' .. d.t,
        d.e, 'x:' .. d.t, d.x, 'id', h[5])
      keep(ck, d.x, now)
      local known = redis.call('HGET', root, 'k:' .. d.p .. ':' .. d.t)
      if not known or num(known) < num(d.x) then
        redis.call('HSET', root, 'k:' .. d.p .. ':' .. d.t, d.x)
        keep(root, d.x, now)
      end
    end
    redis.call('HINCRBY', ck, 'u:' .. d.t, a)
  end
end
redis.call('HSET', KEYS[3], 'st', 'C', 'a', ARGV[5])
retire(KEYS[3], now)
return values({'SET'}, prefix, list, now)
