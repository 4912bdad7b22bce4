"""The demo floor: one local day of a hotline's queue traffic, as the PBX would log it (queue_log lines).

A pure function of the day and its seed, so any stretch of the day can be played (ingested) at any time
and a stretch played twice lands on the same records: the calls by their ids, the agent events by the
identity of their line in the day's text (see ``hotline.pbx._demo_floor_play``).

The day: every agent signs in at midnight (three shifts seen as one desk each) and takes a 10-minute
小休 every two hours, staggered; calls arrive at random (Poisson) at a rate following the hotline's day
(quiet at night, peaks at 10:00 and 15:00); every other hour, on the half hour, a wave of calls about
one water outage in one street (a burst, in another street each time); the first free agent answers
(sometimes after another let it ring), callers give up when the wait passes their patience.
"""

import random

DAY = 86400
# calls per hour, 00:00 to 23:00
HOURLY = (2, 1, 1, 1, 1, 2, 5, 12, 24, 30, 30, 26, 18, 22, 28, 28, 24, 20, 15, 11, 8, 6, 4, 3)
# every BURST_EVERY hours, at minute BURST_MINUTE, a wave of BURST_CALLS calls within 3 minutes: two hours
# apart, the waves of one district are separate bursts (the demo's rule counts cases within an hour)
BURST_EVERY, BURST_MINUTE, BURST_CALLS = 2, 30, 7
PAUSE_EVERY, PAUSE_LENGTH, PAUSE_REASON = 7200, 600, "小休"


def day_plan(day_start, agents, numbers, queue="hotline", seed=0):
    """The day starting at epoch `day_start` (local midnight): (lines, burst) where lines are queue_log
    lines in time order and burst {call id: wave number} for the calls of the waves."""
    rnd = random.Random(seed)
    events = [(day_start + i, f"{day_start + i}|MANAGER|{queue}|{agent}|ADDMEMBER|") for i, agent in enumerate(agents)]
    pauses = {}
    for i, agent in enumerate(agents):
        pauses[agent] = [(start, start + PAUSE_LENGTH)
                         for start in range(day_start + 3600 + i * 2400, day_start + DAY - PAUSE_LENGTH, PAUSE_EVERY)]
        for start, stop in pauses[agent]:
            events += [(start, f"{start}|NONE|{queue}|{agent}|PAUSE|{PAUSE_REASON}"),
                       (stop, f"{stop}|NONE|{queue}|{agent}|UNPAUSE|")]
    arrivals = []
    for hour, rate in enumerate(HOURLY):
        base = day_start + hour * 3600
        t = float(base)
        while True:
            t += rnd.expovariate(rate / 3600)
            if t >= base + 3600:
                break
            arrivals.append((int(t), None))
        if hour % BURST_EVERY == 0:
            arrivals += [(base + BURST_MINUTE * 60 + rnd.randint(0, 180), hour // BURST_EVERY)
                         for _n in range(BURST_CALLS)]
    arrivals.sort(key=lambda arrival: arrival[0])
    free_at = dict.fromkeys(agents, day_start)

    def ready(agent, t):
        """When the agent can take a call arriving at t: after their current call and out of a pause."""
        at = max(free_at[agent], t)
        for start, stop in pauses[agent]:
            if start <= at < stop:
                at = stop
        return at

    burst = {}
    for n, (t, wave) in enumerate(arrivals):
        callid = f"{t}.{n}"
        if wave is not None:
            burst[callid] = wave
        events.append((t, f"{t}|{callid}|{queue}|NONE|ENTERQUEUE||{rnd.choice(numbers)}|1"))
        agent = min(agents, key=lambda a: ready(a, t))
        wait = ready(agent, t) - t + rnd.randint(2, 8)  # the ring
        patience = rnd.randint(25, 150)
        if wait > patience or rnd.random() < 0.03:
            events.append((t + min(wait, patience), f"{t + min(wait, patience)}|{callid}|{queue}|NONE|ABANDON|1|1|"
                                                    f"{min(wait, patience)}"))
            continue
        others = [a for a in agents if a != agent]
        if others and rnd.random() < 0.1:  # another agent's phone rang first, unanswered
            events.append((t + 1, f"{t + 1}|{callid}|{queue}|{rnd.choice(others)}|RINGNOANSWER|6000"))
        talk = rnd.randint(50, 330)
        end = t + wait + talk
        completed = "COMPLETEAGENT" if rnd.random() < 0.3 else "COMPLETECALLER"
        events += [(t + wait, f"{t + wait}|{callid}|{queue}|{agent}|CONNECT|{wait}|{callid}1|{min(wait, 6)}"),
                   (end, f"{end}|{callid}|{queue}|{agent}|{completed}|{wait}|{talk}|1")]
        free_at[agent] = end + rnd.randint(10, 40)  # wrap-up
    events.sort(key=lambda event: event[0])
    return [line for _t, line in events], burst
