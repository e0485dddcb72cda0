import { METHODS } from 'node:http';
import { allowedMethods } from './method-not-allowed';

const route = (path: string, ...methods: string[]) => ({
  match: (p: string) => p === path,
  route: { methods: Object.fromEntries(methods.map((m) => [m, true])) },
});

describe('allowedMethods', () => {
  it('lists the methods the routes on a path answer, HEAD wherever GET is', () => {
    const layers = [route('/delegation', 'post'), route('/delegation', 'get'), route('/oauth/token', 'post')];
    expect(allowedMethods(layers, '/delegation')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(layers, '/oauth/token')).toEqual(['POST']);
    expect(allowedMethods(layers, '/nowhere')).toEqual([]);
  });

  it('ignores middleware mounted for every method and plain middleware layers', () => {
    const everything = route('/delegation', ...METHODS.map((m) => m.toLowerCase()));
    const middleware = { match: () => true };
    expect(allowedMethods([everything, middleware, route('/delegation', 'post')], '/delegation')).toEqual([
      'POST',
    ]);
  });

  it('leaves a path a route cannot decode to the router', () => {
    const throwing = {
      match: () => {
        throw new URIError("Failed to decode param '%FF'");
      },
      route: { methods: { post: true } },
    };
    expect(allowedMethods([throwing], '/api/v2/clients/%FF/rotate-secret')).toEqual([]);
  });
});
