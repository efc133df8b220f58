//! "Verify": who the credentials belong to, through STS GetCallerIdentity.

use aws_sdk_bedrockruntime::types::{ContentBlock, ConversationRole, Message};

use crate::error::{from_sdk, BedrockError, ErrorKind};
use crate::BedrockClients;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// Asks STS who is calling.
pub async fn caller_identity(clients: &BedrockClients) -> Result<CallerIdentity, BedrockError> {
    let out = clients
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    Ok(CallerIdentity {
        account: out.account.unwrap_or_default(),
        arn: out.arn.unwrap_or_default(),
        user_id: out.user_id.unwrap_or_default(),
    })
}

/// The cheapest real runtime call, CountTokens on a one-word message: proves a Bedrock API key
/// (which cannot call STS) and answers "can I use this model?".
pub async fn probe_model(clients: &BedrockClients, model_id: &str) -> Result<(), BedrockError> {
    let message = Message::builder()
        .role(ConversationRole::User)
        .content(ContentBlock::Text("ping".into()))
        .build()
        .map_err(|e| BedrockError::new(ErrorKind::Internal, e.to_string()))?;
    let input = aws_sdk_bedrockruntime::types::CountTokensInput::Converse(
        aws_sdk_bedrockruntime::types::ConverseTokensRequest::builder()
            .messages(message)
            .build(),
    );
    clients
        .runtime
        .count_tokens()
        .model_id(model_id)
        .input(input)
        .send()
        .await
        .map_err(|e| from_sdk(&e))?;
    Ok(())
}
