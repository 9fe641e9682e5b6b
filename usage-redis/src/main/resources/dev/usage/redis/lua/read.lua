-- Read counters of one user. See RedisCounterStore.
-- KEYS: 1 slot sentinel, 2 root, 3.. counter hashes
-- ARGV: 1 user key prefix, 2 now, 3 '1' = answer N, for the caller to re-seed the counters it read from the event
--       log and read again, for lost state, a user without a root, or a counter missing for a re-seeded user (as
--       consume.lua), then triples type, period, period start (microseconds; read only when ARGV 3 is '1')
-- Replies: {'V', used, reserved, ...}; {'L', why} lost; {'N'} needs seeding; {'N', 'none'}: a user without a root
--   and without any of these counters (an id that may never have been used: with nothing in the log for them,
--   the caller reads zeros and writes nothing)
local n = (#ARGV - 3) / 3
if n < 1 or n ~= math.floor(n) or #KEYS ~= 2 + n or not num(ARGV[2]) then
  return redis.error_reply('ERR usage read: malformed call')
end
for i = 0, n - 1 do
  if ARGV[3] == '1' and not num(ARGV[6 + i * 3]) then
    return redis.error_reply('ERR usage read: counter ' .. i .. ' period start is not a number')
  end
end
local prefix, root, now = ARGV[1], KEYS[2], ARGV[2]
local fields = {'epoch', 'hx', 'sd'}
for i = 0, n - 1 do
  fields[#fields + 1] = 'k:' .. ARGV[5 + i * 3] .. ':' .. ARGV[4 + i * 3]
end
local rv = redis.call('HMGET', root, unpack(fields))
-- a user with a root kept their state; only without one does the slot's sentinel say new user or lost data
local fresh = not rv[1]
if fresh and not redis.call('GET', KEYS[1]) then
  return {'L', 'sentinel'}
end
if fresh and ARGV[3] == '1' then
  for i = 0, n - 1 do
    if live(KEYS[3 + i], ARGV[4 + i * 3], now) then
      -- the root was lost alone: re-seeding keeps the counters that are there
      return {'N'}
    end
  end
  return {'N', 'none'}
end
lapse(prefix, root, now, fresh and '-9007199254740991' or rv[2])
local reply = {'V'}
for i = 0, n - 1 do
  local x, u, r = live(KEYS[3 + i], ARGV[4 + i * 3], now)
  if x == nil and not fresh and rv[4 + i] and num(rv[4 + i]) > num(now) then
    -- gone although the root says alive (see consume.lua)
    if ARGV[3] == '1' then
      return {'N'}
    end
    return {'L', 'counter'}
  elseif x == nil and not fresh and not rv[4 + i] and ARGV[3] == '1' and rv[3]
      and num(ARGV[6 + i * 3]) < num(rv[3]) then
    -- a user re-seeded after a loss meets a counter the seeding did not cover (see consume.lua)
    return {'N'}
  end
  reply[#reply + 1] = u
  reply[#reply + 1] = r
end
return reply
