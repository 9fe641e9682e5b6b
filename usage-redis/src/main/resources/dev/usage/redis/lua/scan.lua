-- The live counters of one counter hash, for the reset job's scan. See RedisCounterStore.
-- KEYS: 1 counter hash, 2 its user's root
-- ARGV: 1 user key prefix, 2 now
-- Reply: {user id, then per live type: type, start, end, used, reserved}
if not num(ARGV[2]) then
  return redis.error_reply('ERR usage scan: malformed call')
end
local prefix, now = ARGV[1], ARGV[2]
lapse(prefix, KEYS[2], now, redis.call('HGET', KEYS[2], 'hx'))
local all = redis.call('HGETALL', KEYS[1])
local reply = {''}
for i = 1, #all, 2 do
  local f = all[i]
  if f == 'id' then
    reply[1] = all[i + 1]
  elseif string.sub(f, 1, 2) == 'x:' then
    local t = string.sub(f, 3)
    local x, u, r = live(KEYS[1], t, now)
    if x then
      local se = redis.call('HMGET', KEYS[1], 's:' .. t, 'e:' .. t)
      reply[#reply + 1] = t
      reply[#reply + 1] = se[1]
      reply[#reply + 1] = se[2]
      reply[#reply + 1] = u
      reply[#reply + 1] = r
    end
  end
end
return reply
