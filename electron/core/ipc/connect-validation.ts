/**
 * The MCP client channels' validators: a client is one id of the fixed list, never a path or a
 * name the window makes up.
 */
import {
  CONNECT_CLIENT_IDS,
  type ConnectCopyRequest,
  type ConnectRequest,
  isConnectClientId,
} from '../../../shared/connect.ts';
import { describeType, fieldsOf, invalid, valid, type Validation } from './field-checks.ts';

const CLIENT_PROBLEM = `"client" must be one of ${CONNECT_CLIENT_IDS.map((id) => `"${id}"`).join(', ')}`;

export function validateConnectRequest(payload: unknown): Validation<ConnectRequest> {
  const checked = fieldsOf(payload, 'MCP client', ['client']);
  if (!checked.ok) return checked;
  const client = checked.fields.get('client');
  if (!isConnectClientId(client)) return invalid(`${CLIENT_PROBLEM}, not ${describeType(client)}.`);
  return valid({ client });
}

export function validateConnectCopyRequest(payload: unknown): Validation<ConnectCopyRequest> {
  const checked = fieldsOf(payload, 'MCP client command', ['client', 'action']);
  if (!checked.ok) return checked;
  const client = checked.fields.get('client');
  if (!isConnectClientId(client)) return invalid(`${CLIENT_PROBLEM}, not ${describeType(client)}.`);
  const action = checked.fields.get('action');
  if (action !== 'connect' && action !== 'disconnect')
    return invalid(`"action" must be "connect" or "disconnect", not ${describeType(action)}.`);
  return valid({ client, action });
}
