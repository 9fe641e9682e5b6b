-- Re-creates a user's counters from the event log after Redis lost them, and adopts the user into the
-- current data epoch. A counter that exists is kept as it is. See RedisCounterStore.
-- KEYS: 1 slot sentinel, 2 root, 3.. counter hashes
-- ARGV: 1 user key prefix, 2 now, 3 user id, 4 deadline (microseconds of Redis's clock), then per counter: type, period, start, end, expiry, used
-- Replies: {'OK'}; {'L', 'sentinel'}; {'T'} run after its deadline: nothing changed
local n = (#ARGV - 4) / 6
if n ~= math.floor(n) or #KEYS ~= 2 + n or not num(ARGV[2]) or not num(ARGV[4]) then
  return redis.error_reply('ERR usage seed: malformed call')
end
for i = 0, n - 1 do
  local b = 5 + i * 6
  for j = 2, 5 do
    if not num(ARGV[b + j]) then
      return redis.error_reply('ERR usage seed: counter ' .. i .. ' field ' .. j .. ' is not a number')
    end
  end
end
if late(ARGV[4]) then
  return {'T'}
end
local root, now = KEYS[2], ARGV[2]
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  return {'L', 'sentinel'}
end
-- a user without a root may have lost every counter with it; one with a root lost only those it records alive,
-- and, when they were re-seeded before ('sd'), those of periods begun before then that it does not record
local rv = redis.call('HMGET', root, 'epoch', 'sd')
local fresh = not rv[1]
prune(root, now)
-- as for a user without a root (see consume.lua): expired holds lapse, and the root learns the earliest other
lapse(ARGV[1], root, now, '-9007199254740991')
-- 'sd': when this user was re-seeded without a root. A counter of theirs that the root does not know, of a period
-- begun before then, may have been lost with the rest: it is seeded too when met (see consume.lua). One of a period
-- begun since is new (the root records every counter made after this), and starts at zero: the events of its first
-- moments may have been charged to the period before (a call's event is stamped when it ends). A user re-seeded
-- with a root keeps their 'sd': moved on, it would make periods begun before it look lost. (Written before the
-- counters, so that the root is there for their expiries.)
if fresh then
  redis.call('HSET', root, 'epoch', epoch, 'sd', now)
else
  redis.call('HSET', root, 'epoch', epoch)
end
for i = 0, n - 1 do
  local b = 5 + i * 6
  local t, p, s, e, x, used = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  local ck = KEYS[3 + i]
  local known = redis.call('HGET', root, 'k:' .. p .. ':' .. t)
  local alive = live(ck, t, now)
  -- a counter the root does not know, of a period begun since the user was seeded (or of a user never seeded), is
  -- new, not lost: the consume that asked for this seeding makes it, at zero (a command's other counter may have
  -- been the lost one)
  local lost = fresh or (known and num(known) > num(now)) or (not known and rv[2] and num(s) < num(rv[2]))
  if not alive and lost and num(x) > num(now) then
    redis.call('HSET', ck, 'u:' .. t, used, 'r:' .. t, held_on(ARGV[1], p, t), 's:' .. t, s, 'e:' .. t, e, 'x:' .. t,
      x, 'id', ARGV[3])
    keep(ck, x, now)
    alive = true
  end
  if alive and (not known or num(known) < num(x)) then
    redis.call('HSET', root, 'k:' .. p .. ':' .. t, x)
  end
  keep(root, x, now)
end
return {'OK'}
