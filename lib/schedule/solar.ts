import { getTimes, type SunTimeName } from 'suncalc';
import { InvalidScheduleError } from '../errors';
import { type SearchBudget, UNBOUNDED } from './budget';
import type { CompiledSchedule, Solar, SolarEvent } from './types';

const DAY = 86_400_000;
/** Polar night or day can hide an event for about six months; past this many days it never happens. */
const MAX_DAYS = 400;

const SUNCALC_KEY: Record<SolarEvent, SunTimeName | 'solarNoon'> = {
  sunrise: 'sunrise',
  sunset: 'sunset',
  solar_noon: 'solarNoon',
  dawn: 'dawn',
  dusk: 'dusk',
  nautical_dawn: 'nauticalDawn',
  nautical_dusk: 'nauticalDusk',
  astronomical_dawn: 'nightEnd',
  astronomical_dusk: 'night',
};

/**
 * The sun event each day at the place, plus `offsetMinutes`. Days on which the event does not happen
 * (polar day or night: suncalc answers null) are skipped. Instants only: the time zone plays
 * no part, so DST cannot move or double a solar occurrence.
 */
export function compileSolar(
  solar: Solar,
  path = 'schedule.solar',
  budget: SearchBudget = UNBOUNDED,
): CompiledSchedule {
  const key = SUNCALC_KEY[solar.event];
  const shift = (solar.offsetMinutes ?? 0) * 60_000;
  // Local solar noon is about 12:00 UTC minus the longitude at 15° an hour; suncalc picks the solar day
  // nearest the date it is given, so asking at each day's solar noon walks the days in order.
  const noonUtc = DAY / 2 - (solar.longitude / 360) * DAY;
  const compiled: CompiledSchedule = {
    next(after) {
      const base = Math.floor(after / DAY) * DAY;
      for (let k = -2; k < MAX_DAYS; k++) {
        budget.spend();
        const times = getTimes(new Date(base + k * DAY + noonUtc), solar.latitude, solar.longitude);
        const event = key === 'solarNoon' ? times.solarNoon : times[key];
        if (!event) continue;
        const at = event.getTime() + shift;
        if (at > after) return at;
      }
      return null;
    },
  };
  if (compiled.next(Date.UTC(2026, 0, 1)) === null) {
    throw new InvalidScheduleError(path, `the ${solar.event} never happens at latitude ${solar.latitude}`);
  }
  return compiled;
}
