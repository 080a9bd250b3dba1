import { Arg, Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Session } from '../AccountService';
import type { UsersContext } from '../context';
import { AuthPayload } from '../schema/AuthPayload';
import { LogInArgs } from '../schema/LogInArgs';
import { SignUpInput } from '../schema/SignUpInput';
import { toUser } from '../schema/User';

@Resolver(() => AuthPayload)
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates a CUSTOMER account and signs it in' })
  async signUp(@Arg('input') input: SignUpInput, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return toAuthPayload(await ctx.accountService.signUp(input, ctx.log));
  }

  @Mutation(() => AuthPayload, { description: 'One UNAUTHENTICATED error for an unknown email or a wrong password' })
  async logIn(@Args() { email, password }: LogInArgs, @Ctx() ctx: UsersContext): Promise<AuthPayload> {
    return toAuthPayload(await ctx.accountService.logIn(email, password, ctx.log));
  }
}

function toAuthPayload(session: Session): AuthPayload {
  const user = toUser(session.user);
  user.provenByRequest = true;
  return Object.assign(new AuthPayload(), { token: session.token, expiresAt: session.expiresAt, user });
}
