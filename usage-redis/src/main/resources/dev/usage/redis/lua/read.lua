-- Read counters of one user. See RedisCounterStore.
-- KEYS: 1 slot sentinel, 2 root, 3.. counter hashes
-- ARGV: 1 user key prefix, 2 now, 3 '1' = answer N for lost state or a user without a root (the caller re-seeds
--       the counters it read, then reads again), then pairs type, period
-- Replies: {'V', used, reserved, ...}; {'L', why} lost; {'N'} needs seeding
local n = (#ARGV - 3) / 2
if n < 1 or n ~= math.floor(n) or #KEYS ~= 2 + n or not num(ARGV[2]) then
  return redis.error_reply('ERR usage read: malformed call')
end
local prefix, root, now = ARGV[1], KEYS[2], ARGV[2]
local fields = {'epoch', 'hx'}
for i = 0, n - 1 do
  fields[#fields + 1] = 'k:' .. ARGV[5 + i * 2] .. ':' .. ARGV[4 + i * 2]
end
local rv = redis.call('HMGET', root, unpack(fields))
-- a user with a root kept their state; only without one does the slot's sentinel say new user or lost data
local fresh = not rv[1]
if fresh and not redis.call('GET', KEYS[1]) then
  return {'L', 'sentinel'}
end
if fresh and ARGV[3] == '1' then
  return {'N'}
end
lapse(prefix, root, now, fresh and '-9007199254740991' or rv[2])
local reply = {'V'}
for i = 0, n - 1 do
  local x, u, r = live(KEYS[3 + i], ARGV[4 + i * 2], now)
  if x == nil and not fresh and rv[3 + i] and num(rv[3 + i]) > num(now) then
    -- gone although the root says alive (see consume.lua)
    if ARGV[3] == '1' then
      return {'N'}
    end
    return {'L', 'counter'}
  end
  reply[#reply + 1] = u
  reply[#reply + 1] = r
end
return reply
