// Generates cosmjs_signed.json: peg1 transactions signed by CosmJS (an independent, standard
// SIGN_MODE_DIRECT signer), which peg-tx must accept and verify unchanged.
//
//   mkdir /tmp/cosmjs-gen && cd /tmp/cosmjs-gen && npm init -y \
//     && npm install @cosmjs/proto-signing@0.36.2 @cosmjs/amino@0.36.2 @cosmjs/encoding@0.36.2 cosmjs-types
//   NODE_PATH=/tmp/cosmjs-gen/node_modules node generate.mjs > cosmjs_signed.json
//
// The custom peg.staking.v1.MsgBond is encoded with cosmjs-types' BinaryWriter from the field
// numbers of specs/transactions.md, independently of the Rust encoder.
import { createRequire } from "node:module";
const require = createRequire(process.env.NODE_PATH + "/");
const { DirectSecp256k1Wallet, Registry, makeAuthInfoBytes, makeSignDoc, makeSignBytes, encodePubkey } =
  require("@cosmjs/proto-signing");
const { encodeSecp256k1Pubkey } = require("@cosmjs/amino");
const { fromHex, toHex, fromBase64 } = require("@cosmjs/encoding");
const { TxRaw } = require("cosmjs-types/cosmos/tx/v1beta1/tx");
const { MsgSend } = require("cosmjs-types/cosmos/bank/v1beta1/tx");
const { BinaryWriter } = require("cosmjs-types/binary");

const MsgBond = {
  // message MsgBond { string operator_address = 1; cosmos.base.v1beta1.Coin amount = 2; }
  encode(message, writer = BinaryWriter.create()) {
    if (message.operatorAddress !== "") writer.uint32(10).string(message.operatorAddress);
    if (message.amount !== undefined) {
      writer.uint32(18).fork();
      writer.uint32(10).string(message.amount.denom);
      writer.uint32(18).string(message.amount.amount);
      writer.ldelim();
    }
    return writer;
  },
  decode() { throw new Error("not needed"); },
  fromPartial(object) { return object; },
};

const privateKey = fromHex("b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef");
const chainId = "peg-cosmjs-1";
const accountNumber = 42;
const wallet = await DirectSecp256k1Wallet.fromKey(privateKey, "peg");
const [{ address, pubkey }] = await wallet.getAccounts();
const registry = new Registry([["/cosmos.bank.v1beta1.MsgSend", MsgSend], ["/peg.staking.v1.MsgBond", MsgBond]]);

async function sign(messages, memo, sequence, fee, gasLimit) {
  const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages, memo } });
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence }], fee, gasLimit, undefined, undefined);
  const signDoc = makeSignDoc(bodyBytes, authInfoBytes, chainId, accountNumber);
  const { signature } = await wallet.signDirect(address, signDoc);
  const tx = TxRaw.encode(TxRaw.fromPartial({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] })).finish();
  return { sequence, memo, signBytes: toHex(makeSignBytes(signDoc)), txBytes: toHex(tx) };
}

const to = "peg1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc55a3w56";
const send = await sign(
  [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: address, toAddress: to, amount: [{ denom: "upeg", amount: "1234567" }] } }],
  "sent by cosmjs", 0, [{ denom: "upeg", amount: "2000" }], 200000);
const bond = await sign(
  [{ typeUrl: "/peg.staking.v1.MsgBond", value: { operatorAddress: address, amount: { denom: "upeg", amount: "500000" } } }],
  "", 1, [{ denom: "upeg", amount: "1000" }], 150000);

console.log(JSON.stringify({
  generator: "@cosmjs/proto-signing " + require("@cosmjs/proto-signing/package.json").version,
  privateKeyHex: toHex(privateKey), pubkeyHex: toHex(pubkey), address, to, chainId, accountNumber,
  transactions: [ { kind: "MsgSend", ...send }, { kind: "MsgBond", ...bond } ],
}, null, 2));
