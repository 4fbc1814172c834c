"""What every operator, sensor and notifier of a service shares: its connection parameter, the check of the rendered
connection id, and the hook.

Each service's operators module declares its mixin once (``VkHookMixin(ServiceHookMixin["VkHook"])``) naming
three things: the parameter holding the connection id (``vk_conn_id``), the service named in errors, and the
service's connection form, whose ``hook_class_name`` is imported only when the task runs (parsing a DAG never loads
the transport). The service's base operator and its sensors mix it into Airflow's base class; their ``__init__``
takes the connection parameter with its default (Airflow's ``default_args`` are matched against the real
signatures of ``__init__`` methods of operator classes, so it cannot live in the mixin), and each operator's
``__init__`` keeps only its own arguments. The shape of the Amazon provider's ``AwsBaseOperator`` over
``AwsBaseHookMixin``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

if TYPE_CHECKING:
    from airflow_provider_social.core.declaration import ConnectionForm

HookT = TypeVar("HookT")


class ServiceHookMixin(Generic[HookT]):
    """A task of one service: ``get_hook()`` builds a new hook for the rendered connection id (checked first: an
    empty or junk id is an input error naming the parameter, never a fallback to the default connection); ``hook``
    is the task's hook, built once on first use."""

    #: The parameter (and attribute, and template field) holding the connection id, e.g. ``vk_conn_id``.
    conn_id_field: ClassVar[str]
    #: The service named in input errors (``VK``, ``X``, ``Yandex Disk``).
    service: ClassVar[str]
    #: The service's connection form; its ``hook_class_name`` is the hook class.
    connection_form: ClassVar[ConnectionForm]

    def checked_conn_id(self) -> str:
        """The rendered connection id, or an input error naming :attr:`conn_id_field`."""
        from airflow_provider_social.core.rendered import conn_id_value

        return conn_id_value(getattr(self, self.conn_id_field), self.conn_id_field, service=self.service)

    def hook_options(self) -> dict[str, Any]:
        """Keyword arguments of the hook besides the connection id (none unless a service's task says)."""
        return {}

    def get_hook(self) -> HookT:
        """A new hook for the task's connection (its class imported here, when the task runs)."""
        from airflow_provider_social.core.declaration import load

        hook_class = load(self.connection_form.hook_class_name)
        return cast("HookT", hook_class(self.checked_conn_id(), **self.hook_options()))

    @cached_property
    def hook(self) -> HookT:
        """The task's hook, built on first use by :meth:`get_hook`."""
        return self.get_hook()


__all__ = ["ServiceHookMixin"]
