/** Events of one channel's message stream (one subject per channel). */
export type MessagePosted = {
  type: 'MessagePosted';
  data: {
    guildId: string;
    channelId: string;
    messageId: string;
    authorId: string;
    content: string;
    nonce: string | null;
  };
};

export type MessageEvent = MessagePosted;
