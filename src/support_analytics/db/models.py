"""The seven reference tables, mapped exactly as `database/schema.sql` defines them.

Columns the schema leaves nullable stay nullable here (`status`, `priority`, `assigned_to`...):
real data and the portal produce NULLs the seed never does, and the product must handle them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from support_analytics.db.base import Base

_NOW = func.now()


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str | None] = mapped_column(String(50), server_default=text("'active'"))
    plan_type: Mapped[str | None] = mapped_column(String(50))
    monthly_budget: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=_NOW
    )


class TeamMember(Base):
    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    department: Mapped[str] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(50), server_default=text("'active'"))
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=_NOW
    )


class TicketType(Base):
    __tablename__ = "ticket_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(50))
    priority: Mapped[str | None] = mapped_column(String(20))
    avg_resolution_hours: Mapped[int | None] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("idx_tickets_client_id", "client_id"),
        Index("idx_tickets_assigned_to", "assigned_to"),
        Index("idx_tickets_status", "status"),
        Index("idx_tickets_created_at", "created_at"),
        Index("idx_tickets_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("team_members.id"))
    ticket_type_id: Mapped[int] = mapped_column(ForeignKey("ticket_types.id"))
    status: Mapped[str | None] = mapped_column(String(50), server_default=text("'open'"))
    priority: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=_NOW
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TicketMessage(Base):
    __tablename__ = "ticket_messages"
    __table_args__ = (Index("idx_ticket_messages_ticket_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    from_client: Mapped[bool | None] = mapped_column(Boolean, server_default=false())
    from_team_member_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id"))
    message_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=_NOW
    )


class TicketFeedback(Base):
    __tablename__ = "ticket_feedback"
    __table_args__ = (CheckConstraint("rating >= 1 AND rating <= 5", name="rating"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    feedback_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=_NOW
    )


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        Index("idx_payments_client_id", "client_id"),
        Index("idx_payments_paid_at", "paid_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    amount_usd: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    payment_type: Mapped[str] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(50), server_default=text("'pending'"))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=_NOW
    )
