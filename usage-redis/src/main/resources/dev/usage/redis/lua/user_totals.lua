-- Read what one user's totals over a range need: the hourly rollups of the hours fully inside it (from the
-- hour index, so a range of any length costs what the user has), and the events of the partial edges.
-- KEYS: 1 event times, 2 events, 3 hour index
-- ARGV: 1 user key prefix, 2 first full hour, 3 end of the full hours (exclusive; none when not above the
--       first), then pairs [from, to) of occurredAt (micros) whose events are read one by one
-- Reply: {{rollup fields and values, one list per hour}, {encoded events}}
if #ARGV < 3 or (#ARGV - 3) % 2 ~= 0 or not num(ARGV[2]) or not num(ARGV[3]) then
  return redis.error_reply('ERR usage user totals: malformed call')
end
local hours = {}
if num(ARGV[3]) > num(ARGV[2]) then
  for _, label in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[2], '(' .. ARGV[3])) do
    hours[#hours + 1] = redis.call('HGETALL', ARGV[1] .. 'rh:' .. label)
  end
end
local events = {}
for i = 4, #ARGV, 2 do
  local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[i], '(' .. ARGV[i + 1])
  -- in slices: unpack has a stack limit
  for s = 1, #ids, 1000 do
    local e = math.min(s + 999, #ids)
    for _, v in ipairs(redis.call('HMGET', KEYS[2], unpack(ids, s, e))) do
      if v then
        events[#events + 1] = v
      end
    end
  end
end
return {hours, events}
