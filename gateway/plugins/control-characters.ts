import { refuseControlCharacters } from '../../platform/control-characters.ts';
import type { GatewayPlugin } from '../plugin.ts';

/**
 * Refuses, with 400 BAD_USER_INPUT before any subgraph is asked, an operation whose
 * variables or inline string literals hold a control character other than tab, newline
 * and carriage return (the rule of subgraphs/kit/control-characters.ts, which every
 * subgraph applies too).
 */
export function useControlCharacterRefusal(): GatewayPlugin {
  return { name: 'control-characters', apollo: refuseControlCharacters({ httpStatus: 400 }) };
}
